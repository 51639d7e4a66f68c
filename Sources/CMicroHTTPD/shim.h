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
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* Called with the raw request target (path and query exactly as the client sent them) before
   MHD decodes it. The return value becomes the request's initial context pointer. */
typedef void *(*scimtape_mhd_uri_callback)(void *context, const char *uri, struct MHD_Connection *connection);

/* Starts a daemon with one context pointer for every callback. The accept policy and the
   connection notification may be NULL. Without an address, libmicrohttpd binds the port on every
   interface, unless the options pass MHD_OPTION_LISTEN_SOCKET. */
static inline struct MHD_Daemon *scimtape_mhd_start_daemon(
    unsigned int flags,
    uint16_t port,
    MHD_AcceptPolicyCallback accept_policy,
    MHD_AccessHandlerCallback handler,
    void *context,
    MHD_RequestCompletedCallback completed,
    scimtape_mhd_uri_callback uri_callback,
    MHD_NotifyConnectionCallback notify_connection,
    const struct sockaddr *address,
    const struct MHD_OptionItem *options) {
    if (address != NULL) {
        return MHD_start_daemon(
            flags, port, accept_policy, context, handler, context,
            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
            MHD_OPTION_URI_LOG_CALLBACK, uri_callback, context,
            MHD_OPTION_NOTIFY_CONNECTION, notify_connection, context,
            MHD_OPTION_SOCK_ADDR, address,
            MHD_OPTION_ARRAY, options,
            MHD_OPTION_END);
    }
    return MHD_start_daemon(
        flags, port, accept_policy, context, handler, context,
        MHD_OPTION_NOTIFY_COMPLETED, completed, context,
        MHD_OPTION_URI_LOG_CALLBACK, uri_callback, context,
        MHD_OPTION_NOTIFY_CONNECTION, notify_connection, context,
        MHD_OPTION_ARRAY, options,
        MHD_OPTION_END);
}

static inline uint16_t scimtape_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/* The daemon's own epoll descriptor, which becomes readable when MHD_run has work; -1 without epoll. */
static inline int scimtape_mhd_epoll_fd(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info == NULL ? -1 : info->epoll_fd;
}

/* The listening socket, or -1. */
static inline int scimtape_mhd_listen_fd(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
    return info == NULL ? -1 : info->listen_fd;
}

/* Milliseconds until MHD_run must be called for a connection timeout, or -1 when nothing is due. */
static inline long long scimtape_mhd_timeout_ms(struct MHD_Daemon *daemon) {
    MHD_UNSIGNED_LONG_LONG timeout = 0;
    if (MHD_get_timeout(daemon, &timeout) != MHD_YES) {
        return -1;
    }
    return timeout > 0x7fffffffLL ? 0x7fffffffLL : (long long)timeout;
}

#endif
