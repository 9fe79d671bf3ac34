#include "enrich/threat_feed.h"
