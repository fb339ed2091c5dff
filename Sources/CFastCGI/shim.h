#ifndef ITINERA_CFASTCGI_SHIM_H
#define ITINERA_CFASTCGI_SHIM_H
#include <fcgiapp.h>

/// FCGI_FAIL_ACCEPT_ON_INTR is a macro; Swift sees it through this constant.
static inline int itn_fcgi_fail_accept_on_intr(void) { return FCGI_FAIL_ACCEPT_ON_INTR; }
#endif
