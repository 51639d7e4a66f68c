#ifndef SCIMTAPE_CCURL_SHIM_H
#define SCIMTAPE_CCURL_SHIM_H

/* curl_easy_setopt and curl_easy_getinfo are variadic, so Swift cannot call them.
   These typed wrappers cover the argument kinds scimtape passes. */

#include <curl/curl.h>

typedef size_t (*scimtape_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode scimtape_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scimtape_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scimtape_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scimtape_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scimtape_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode scimtape_curl_setopt_data_callback(
    CURL *handle, CURLoption option, scimtape_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode scimtape_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode scimtape_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

typedef int (*scimtape_curl_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *context, void *socket_context);
typedef int (*scimtape_curl_timer_callback)(CURLM *multi, long timeout_ms, void *context);

static inline CURLMcode scimtape_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLMcode scimtape_curl_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLMcode scimtape_curl_multi_setopt_socket_callback(
    CURLM *multi, scimtape_curl_socket_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, callback);
}

static inline CURLMcode scimtape_curl_multi_setopt_timer_callback(
    CURLM *multi, scimtape_curl_timer_callback callback) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, callback);
}

typedef int (*scimtape_curl_close_callback)(void *context, curl_socket_t socket);

static inline CURLcode scimtape_curl_setopt_close_callback(CURL *handle, scimtape_curl_close_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_CLOSESOCKETFUNCTION, callback);
}

/* The result of a finished transfer, read from the union in a CURLMSG_DONE message. */
static inline CURLcode scimtape_curl_message_result(const CURLMsg *message) {
    return message->data.result;
}

#endif
