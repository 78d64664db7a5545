#include <iostream>

int main() {
  std::cout << "creneau\n";
  return 0;
}
