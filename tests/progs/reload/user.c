/*
 * libreuser.so: calls reload_f through its PLT slot; libreplug.so is its
 * dependency, found beside it, so it is loaded and unloaded with it.
 */
int reload_f(int x);

__attribute__((visibility("default"))) int reload_g(int x)
{
	return reload_f(x);
}
