// Built with -D_GLIBCXX_USE_CXX11_ABI=0: libstdc++'s old std::string, one
// pointer, which a `const std::string &` read as the new layout would
// misread (t1421). Prints weigh() of strings that share their start.
#include <cstdio>
#include <string>

#include "../runs.h"

namespace model_old {
__attribute__((noinline)) double weigh(const std::string &label)
{
	double s = 0;

	test_ran("old_weigh");
	for (char c : label)
		s = s * 1.5 + (unsigned char)c;
	return s;
}
}

int main()
{
	const char *words[] = { "abcdefgh", "abcdefgz", "abc", "abcdefgh" };

	for (const char *w : words)
		printf("%s %.17g\n", w, model_old::weigh(std::string(w)));
	return 0;
}
