/* Loads a shared library as the .NET runtime would (dlopen, RTLD_NOW) and prints why not, if it fails.
 * Used by scripts/setup.sh to test TorchSharp's native layer under the environment the program will run
 * with (LD_LIBRARY_PATH included) instead of guessing from ldconfig's cache. Exit 0 = loads, 1 = not. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: dlcheck LIBRARY\n"); return 2; }
    if (dlopen(argv[1], RTLD_NOW | RTLD_LOCAL) == NULL) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    return 0;
}
