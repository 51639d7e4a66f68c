/*
 * A forwarding proxy in C on the same two libraries as `scimtape record`, for the recorder
 * benchmark: libmicrohttpd with a thread per client connection, and one libcurl easy handle per
 * thread, kept so that its upstream connection is reused. It forwards the method, the target,
 * the end-to-end header fields and the body, returns the upstream's status, fields and body, and
 * captures nothing. Its throughput is what these libraries allow a proxy without any Swift code
 * or recording.
 *
 * Usage: forward ORIGIN, such as http://127.0.0.1:8080. It listens on a free port of 127.0.0.1
 * and prints its origin as the first line of standard output.
 */
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char upstream[512];
static pthread_key_t handle_key;

struct buffer {
  char *bytes;
  size_t count;
  size_t capacity;
};

static void append(struct buffer *buffer, const char *bytes, size_t count) {
  if (buffer->count + count + 1 > buffer->capacity) {
    buffer->capacity = (buffer->count + count + 1) * 2;
    buffer->bytes = realloc(buffer->bytes, buffer->capacity);
    if (buffer->bytes == NULL) {
      abort();
    }
  }
  memcpy(buffer->bytes + buffer->count, bytes, count);
  buffer->count += count;
  buffer->bytes[buffer->count] = 0;
}

struct request {
  char *target;
  struct buffer body;
  int started;
};

struct upstream_response {
  struct buffer body;
  struct buffer fields;
};

/* Fields that describe one connection or the framing of one message, not the exchange. */
static int is_hop_by_hop(const char *name, size_t length) {
  static const char *names[] = {"connection", "keep-alive", "transfer-encoding", "content-length",
                                "te", "trailer", "upgrade", "host", "expect", "proxy-connection"};
  for (size_t index = 0; index < sizeof names / sizeof names[0]; index++) {
    if (strlen(names[index]) == length && strncasecmp(name, names[index], length) == 0) {
      return 1;
    }
  }
  return 0;
}

/* libmicrohttpd passes the raw request target here, query included. */
static void *remember_target(void *context, const char *uri, struct MHD_Connection *connection) {
  (void)context;
  (void)connection;
  struct request *request = calloc(1, sizeof *request);
  if (request == NULL) {
    abort();
  }
  request->target = strdup(uri);
  return request;
}

static size_t receive_body(char *bytes, size_t size, size_t count, void *context) {
  append(&((struct upstream_response *)context)->body, bytes, size * count);
  return size * count;
}

static size_t receive_field(char *bytes, size_t size, size_t count, void *context) {
  struct upstream_response *received = context;
  size_t length = size * count;
  if (length >= 5 && strncmp(bytes, "HTTP/", 5) == 0) {
    received->fields.count = 0; /* a new status line, after a 100 Continue */
    return length;
  }
  const char *colon = memchr(bytes, ':', length);
  if (colon != NULL && !is_hop_by_hop(bytes, (size_t)(colon - bytes))) {
    append(&received->fields, bytes, length);
  }
  return length;
}

static enum MHD_Result copy_field(void *context, enum MHD_ValueKind kind, const char *name, const char *value) {
  (void)kind;
  struct curl_slist **fields = context;
  if (is_hop_by_hop(name, strlen(name))) {
    return MHD_YES;
  }
  size_t length = strlen(name) + strlen(value ? value : "") + 3;
  char *line = malloc(length);
  if (line == NULL) {
    abort();
  }
  snprintf(line, length, "%s: %s", name, value ? value : "");
  *fields = curl_slist_append(*fields, line);
  free(line);
  return MHD_YES;
}

static enum MHD_Result handle(void *context, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **state) {
  (void)context;
  (void)url;
  (void)version;
  struct request *request = *state;
  /* A response queued on the first call makes libmicrohttpd close the connection after it. */
  if (!request->started) {
    request->started = 1;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    append(&request->body, upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  CURL *easy = pthread_getspecific(handle_key);
  if (easy == NULL) {
    easy = curl_easy_init();
    pthread_setspecific(handle_key, easy);
  }
  struct upstream_response received = {0};
  /* Empty values stop libcurl from adding its own Expect and Accept fields. */
  struct curl_slist *fields = curl_slist_append(NULL, "Expect:");
  fields = curl_slist_append(fields, "Accept:");
  MHD_get_connection_values(connection, MHD_HEADER_KIND, copy_field, &fields);
  size_t url_length = strlen(upstream) + strlen(request->target) + 1;
  char *target = malloc(url_length);
  if (target == NULL) {
    abort();
  }
  snprintf(target, url_length, "%s%s", upstream, request->target);
  curl_easy_setopt(easy, CURLOPT_URL, target);
  /* The handle keeps its options, so a request without a body resets an earlier request's body. */
  if (request->body.count > 0) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)request->body.count);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->body.bytes);
  } else {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(easy, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, fields);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, receive_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, receive_field);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &received);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 30L);
  CURLcode result = curl_easy_perform(easy);
  curl_slist_free_all(fields);
  free(target);
  unsigned int status = 502;
  struct MHD_Response *response;
  if (result == CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    status = (unsigned int)code;
    response = MHD_create_response_from_buffer(received.body.count, received.body.bytes ? received.body.bytes : "",
                                               MHD_RESPMEM_MUST_COPY);
    char *line = received.fields.bytes;
    while (line != NULL && *line != 0) {
      char *end = strstr(line, "\r\n");
      if (end == NULL) {
        break;
      }
      *end = 0;
      char *colon = strchr(line, ':');
      if (colon != NULL) {
        *colon = 0;
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t') {
          value++;
        }
        MHD_add_response_header(response, line, value);
      }
      line = end + 2;
    }
  } else {
    response = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
  }
  enum MHD_Result queued = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  free(received.body.bytes);
  free(received.fields.bytes);
  return queued;
}

static void completed(void *context, struct MHD_Connection *connection, void **state,
                      enum MHD_RequestTerminationCode code) {
  (void)context;
  (void)connection;
  (void)code;
  struct request *request = *state;
  if (request != NULL) {
    free(request->target);
    free(request->body.bytes);
    free(request);
  }
  *state = NULL;
}

static void free_handle(void *easy) { curl_easy_cleanup(easy); }

int main(int argc, char **argv) {
  if (argc != 2 || strncmp(argv[1], "http://", 7) != 0) {
    fprintf(stderr, "usage: forward ORIGIN (such as http://127.0.0.1:8080)\n");
    return 2;
  }
  snprintf(upstream, sizeof upstream, "%s", argv[1]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pthread_key_create(&handle_key, free_handle);
  signal(SIGPIPE, SIG_IGN);
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL, NULL, handle, NULL,
      MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_URI_LOG_CALLBACK, remember_target, NULL,
      MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
      MHD_OPTION_END);
  if (daemon == NULL) {
    fprintf(stderr, "forward: failed to start the libmicrohttpd daemon on 127.0.0.1\n");
    return 1;
  }
  const union MHD_DaemonInfo *port = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  printf("http://127.0.0.1:%u\n", port != NULL ? (unsigned int)port->port : 0U);
  fflush(stdout);
  for (;;) {
    pause();
  }
}
