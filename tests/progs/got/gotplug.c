/*
 * plugins/libgotplug*.so: loaded later with dlopen; its own calls to
 * libgotlib go through its own GOT, which only exists once it is loaded.
 */
#include "../runs.h"

int got_add(int a, int b);

/* plug_add exists only once the plugin is loaded: a hook configured for it
 * is resolved by the pass that follows the dlopen. */
__attribute__((visibility("default"))) int plug_add(int a, int b)
{
	test_ran("plug_add");
	return got_add(a, b);
}
