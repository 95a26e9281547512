/* gotprog-next: calls a libc function a library wraps with RTLD_NEXT, and a
 * function libmemo hooks. */
#include <stdio.h>

int got_add(int a, int b);

int main(void)
{
	char line[64];

	puts("hello through the wrapper");
	snprintf(line, sizeof line, "got_add(20, 22) = %d", got_add(20, 22));
	puts(line);
	return 0;
}
