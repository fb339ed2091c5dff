#ifndef ITINERA_CARGON2_SHIM_H
#define ITINERA_CARGON2_SHIM_H
#include <argon2.h>
#endif
