/*
 * The reference for the booking-read figure of scripts/bench: the least a FastCGI worker can do
 * for GET /api/bookings/{id} through the same nginx and PostgreSQL. N forked workers, each with
 * one connection; per request the same two prepared statements as the app (the bearer token's
 * credential lookup with the tenant settings, then the staff JSON; the SQL of
 * Authenticator.credentialStatement and BookingQueries.staffDetail) in one pipeline, and the JSON
 * wrapped in an envelope. No routing, parsing, logging or error handling: a ceiling, not a server.
 *
 *   reference_read SOCKET WORKERS CONNINFO      serves GET /bench/read/{id} on SOCKET
 */
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *CREDENTIAL =
    "SELECT token_id, user_id, team_id, role, NULL::text AS csrf_token, "
    "set_config('itinera.team_id', team_id::text, true) AS t, set_config('itinera.user_id', user_id::text, true) AS u, "
    "set_config('itinera.role', role, true) AS r FROM itinera_auth_token($1)";
static const char *STAFF_DETAIL =
    "SELECT CASE WHEN d.built_generation = d.generation THEN d.detail "
    "ELSE itinera_refresh_booking_detail(d.booking_id) END AS booking "
    "FROM booking_details d WHERE d.booking_id = $1";

static void answer(FCGX_Request *request, const char *status, const char *json) {
    static const char head[] = "{\"ok\":true,\"data\":", tail[] = "}\n";
    size_t length = strlen(json);
    /* libfcgi's own printf knows no %zu. */
    FCGX_FPrintF(request->out, "Status: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", status,
                 (int)(sizeof head - 1 + length + sizeof tail - 1));
    FCGX_PutS(head, request->out);
    FCGX_PutStr(json, (int)length, request->out);
    FCGX_PutS(tail, request->out);
}

static void serve(const char *conninfo) {
    PGconn *db = PQconnectdb(conninfo);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "reference_read: %s", PQerrorMessage(db));
        exit(1);
    }
    PQclear(PQprepare(db, "credential", CREDENTIAL, 0, NULL));
    PQclear(PQprepare(db, "detail", STAFF_DETAIL, 0, NULL));
    PQenterPipelineMode(db);
    FCGX_Request request;
    FCGX_InitRequest(&request, 0, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        const char *authorization = FCGX_GetParam("HTTP_AUTHORIZATION", request.envp);
        const char *uri = FCGX_GetParam("REQUEST_URI", request.envp);
        if (!authorization || strncmp(authorization, "Bearer ", 7) != 0 || !uri) {
            answer(&request, "401 Unauthorized", "null");
            FCGX_Finish_r(&request);
            continue;
        }
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)authorization + 7, strlen(authorization + 7), digest);
        char hash[2 + 2 * SHA256_DIGEST_LENGTH + 1] = "\\x";
        for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) snprintf(hash + 2 + 2 * i, 3, "%02x", digest[i]);
        const char *id = strrchr(uri, '/') + 1;
        const char *credential[] = {hash}, *detail[] = {id};
        PQsendQueryPrepared(db, "credential", 1, credential, NULL, NULL, 0);
        PQsendQueryPrepared(db, "detail", 1, detail, NULL, NULL, 0);
        PQpipelineSync(db);
        PGresult *who = PQgetResult(db);
        PQclear(PQgetResult(db));
        PGresult *booking = PQgetResult(db);
        PQclear(PQgetResult(db));
        PQclear(PQgetResult(db)); /* the sync point */
        if (PQntuples(who) == 1 && PQntuples(booking) == 1) {
            answer(&request, "200 OK", PQgetvalue(booking, 0, 0));
        } else {
            answer(&request, "404 Not Found", "null");
        }
        PQclear(who);
        PQclear(booking);
        FCGX_Finish_r(&request);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: reference_read SOCKET WORKERS CONNINFO\n");
        return 2;
    }
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(address.sun_path, sizeof address.sun_path, "%s", argv[1]);
    unlink(argv[1]);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4096) != 0) {
        perror("reference_read: bind");
        return 1;
    }
    chmod(argv[1], 0666);
    dup2(listener, 0);
    FCGX_Init();
    for (int i = 0; i < atoi(argv[2]); i++) {
        if (fork() == 0) {
            prctl(PR_SET_PDEATHSIG, SIGTERM); /* stopping the parent stops its workers */
            serve(argv[3]);
            return 0;
        }
    }
    pause();
    return 0;
}
