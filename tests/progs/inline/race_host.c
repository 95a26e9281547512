/*
 * t0511's program: dlopens race_plug.so (whose constructor starts a thread
 * spinning in race_f), calls race_f, stops the thread and prints what both
 * saw. The same output with and without libmemo.   race_host LIB
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *h;
	long (*f)(long), (*stop)(void);

	if (argc != 2 || !(h = dlopen(argv[1], RTLD_NOW))) {
		fprintf(stderr, "race_host: %s\n", argc == 2 ? dlerror() : "usage: race_host LIB");
		return 2;
	}
	f = (long (*)(long))dlsym(h, "race_f");
	stop = (long (*)(void))dlsym(h, "race_stop");
	printf("race_f(3) = %ld\n", f(3));
	printf("wrong results in the thread: %ld\n", stop());
	return 0;
}
