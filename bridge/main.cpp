#include <iostream>
#include <string>
#include <vector>

#include "bridge/cli/Commands.h"

// The only place concrete types are wired together: see bridge/cli/.
int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return creneau::bridge::runCli(args, {std::cout, std::cerr});
}
