#include "enrich/azure_cli_import.h"
