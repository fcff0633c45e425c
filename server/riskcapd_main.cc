// riskcapd: the riskcap server. All logic lives in server/daemon.cc.
#include "server/daemon.h"

int main(int argc, char** argv) { return riskcap::server::RunRiskcapd(argc, argv); }
