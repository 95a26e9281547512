/* A library linked without a build-id (tests/t0605): helper's constant K is
 * set when it is built, so rebuilding it with another K at the same path is
 * an upgrade the program is not relinked for. */
int helper(int x)
{
	return 10 * x + K;
}
