#include "enrich/service_tags.h"
