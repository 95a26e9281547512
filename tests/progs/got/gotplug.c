/*
 * plugins/libgotplug*.so: loaded later with dlopen; its own calls to
 * libgotlib go through its own GOT, which only exists once it is loaded.
 */
int got_add(int a, int b);

__attribute__((visibility("default"))) int plug_add(int a, int b)
{
	return got_add(a, b);
}
