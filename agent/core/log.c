/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <string.h>

#include "log.h"

static int max_level = LOG_INFO;
static int prefix_levels = 1;

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

void log_set_prefix_levels(int enabled)
{
	prefix_levels = enabled;
}

int log_internal(int level, int error, const char *file, int line, const char *fmt, ...)
{
	int saved = errno;
	char buf[2048];
	va_list ap;

	if (error < 0)
		error = -error;
	if (level > max_level)
		return -error;

	/* %m renders the error passed in, not whatever errno happens to hold. */
	errno = error;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (prefix_levels)
		fprintf(stderr, "<%d>%s\n", level, buf);
	else
		fprintf(stderr, "%s\n", buf);
	errno = saved;
	(void)file;
	(void)line;
	return -error;
}
