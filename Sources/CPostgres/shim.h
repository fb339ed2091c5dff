#ifndef ITINERA_CPOSTGRES_SHIM_H
#define ITINERA_CPOSTGRES_SHIM_H
#include <libpq-fe.h>

/// PG_DIAG_SQLSTATE is a macro for a char constant.
static inline int itn_pg_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int itn_pg_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int itn_pg_diag_constraint_name(void) { return PG_DIAG_CONSTRAINT_NAME; }
#endif
