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

#endif
