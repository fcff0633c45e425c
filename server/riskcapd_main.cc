// riskcapd: the riskcap server. All logic lives in server/daemon/daemon.cc.
#include "server/daemon/daemon.h"

int main(int argc, char** argv) { return riskcap::server::RunRiskcapd(argc, argv); }
