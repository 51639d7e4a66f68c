#ifndef SCIMTAPE_CMICROHTTPD_SHIM_H
#define SCIMTAPE_CMICROHTTPD_SHIM_H

/* MHD_start_daemon and MHD_get_daemon_info are variadic, so Swift
   cannot call them. These wrappers pass fixed arguments and an option array instead. */

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

/* Called with the raw request target (path and query exactly as the client sent them) before
   MHD decodes it. The return value becomes the request's initial context pointer. */
typedef void *(*scimtape_mhd_uri_callback)(void *context, const char *uri, struct MHD_Connection *connection);

static inline struct MHD_Daemon *scimtape_mhd_start_daemon(
    unsigned int flags,
    uint16_t port,
    MHD_AccessHandlerCallback handler,
    void *handler_context,
    MHD_RequestCompletedCallback completed,
    void *completed_context,
    scimtape_mhd_uri_callback uri_callback,
    void *uri_context,
    const struct sockaddr *address,
    const struct MHD_OptionItem *options) {
    if (address != NULL) {
        return MHD_start_daemon(
            flags, port, NULL, NULL, handler, handler_context,
            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
            MHD_OPTION_URI_LOG_CALLBACK, uri_callback, uri_context,
            MHD_OPTION_SOCK_ADDR, address,
            MHD_OPTION_ARRAY, options,
            MHD_OPTION_END);
    }
    return MHD_start_daemon(
        flags, port, NULL, NULL, handler, handler_context,
        MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
        MHD_OPTION_URI_LOG_CALLBACK, uri_callback, uri_context,
        MHD_OPTION_ARRAY, options,
        MHD_OPTION_END);
}

static inline uint16_t scimtape_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

#endif
