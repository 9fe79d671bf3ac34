#include "enrich/topology_file.h"
