// Defines the one libstdc++ symbol that TorchSharp-cpu 0.107's libLibTorchSharp.so needs from GCC 13:
// std::ios_base_library_init() (GLIBCXX_3.4.32). GCC 13's <iostream> only references it, to pull in the
// library's own iostream initialisation; with an older libstdc++ this shim does that job with a static
// std::ios_base::Init, which is how GCC 12 and earlier initialise std::cout and friends.
// Built and linked by scripts/setup.sh (see docs/architecture.md, "Set-up scripts").
#include <ios>
static std::ios_base::Init clapaudit_ios_init;
namespace std { void ios_base_library_init() {} }
