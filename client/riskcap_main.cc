// riskcap: the command-line client. All logic lives in client/cli.cc and the cmd_*.cc groups.
#include "client/cli.h"

int main(int argc, char** argv) { return riskcap::client::RunCli(argc, argv); }
