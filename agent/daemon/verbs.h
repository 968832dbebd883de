/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verbs.h: the command-line verbs of `kubearmor`. main() parses only the verb and global options
 * and hands argc/argv (argv[0] is the verb) to one of these. Each returns a process exit code: 0
 * success, 1 a negative verdict or failure the user must act on, 2 usage error.
 */
#pragma once

int verb_validate(int argc, char **argv);
int verb_explain(int argc, char **argv);
int verb_run(int argc, char **argv);
int verb_status(int argc, char **argv);
int verb_profile(int argc, char **argv);
