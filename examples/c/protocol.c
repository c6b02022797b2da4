/* lcspec_c: a C99 port of lcspec's contract, served over lcspec-protocol/1 on stdin/stdout.
 *
 * One JSON object per line. stdout carries protocol messages only (flushed after each one);
 * diagnostics go to stderr. The session: the judge's hello, our handshake, calls answered in
 * order (numerical_gradient asks the judge to evaluate f through call-backs), then bye or EOF.
 * Argument checks are in args.c, the mathematics in linear.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "json.h"
#include "linear.h"

#define IMPL_NAME "lcspec-c-port"
#define IMPL_VERSION "0.1.0"

/* ---------------------------------------------------------------- lines in, messages out */

/* The next line of stdin without its line ending (malloc'd), or NULL at end of input. */
static char *read_line(size_t *len)
{
    size_t cap = 4096, n = 0;
    char *line = malloc(cap);
    if (!line)
        return NULL;
    for (;;) {
        if (!fgets(line + n, (int)(cap - n < 0x7fffffff ? cap - n : 0x7fffffff), stdin)) {
            if (n == 0) {
                free(line);
                return NULL;
            }
            break; /* a last line without a newline */
        }
        n += strlen(line + n);
        if (n > 0 && line[n - 1] == '\n')
            break;
        if (cap - n < 2) {
            char *bigger = realloc(line, cap * 2);
            if (!bigger) {
                fputs("lcspec_c: out of memory reading a line\n", stderr);
                exit(3);
            }
            line = bigger;
            cap *= 2;
        }
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    *len = n;
    return line;
}

static void send(Buf *b)
{
    fwrite(b->data, 1, b->len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
}

static void send_error(const JValue *id, const Err *e)
{
    Buf b;
    buf_init(&b);
    buf_put(&b, "{\"id\": ");
    if (id && id->type == J_INT && id->int_fits)
        buf_int(&b, id->integer);
    else
        buf_put(&b, "null");
    buf_put(&b, ", \"error\": {\"type\": ");
    buf_string(&b, e->type, strlen(e->type));
    buf_put(&b, ", \"message\": ");
    buf_string(&b, e->message, strlen(e->message));
    buf_put(&b, "}}");
    send(&b);
    buf_free(&b);
}

/* ---------------------------------------------------------------- results */

static void put_shape(Buf *b, const size_t *shape, int ndim)
{
    buf_putc(b, '[');
    for (int i = 0; i < ndim; i++) {
        if (i)
            buf_put(b, ", ");
        buf_int(b, (long long)shape[i]);
    }
    buf_putc(b, ']');
}

static void put_float64_array(Buf *b, const size_t *shape, int ndim, const double *data)
{
    size_t size = 1;
    for (int i = 0; i < ndim; i++)
        size *= shape[i];
    buf_put(b, "{\"$array\": {\"dtype\": \"float64\", \"shape\": ");
    put_shape(b, shape, ndim);
    buf_put(b, ", \"data\": [");
    for (size_t i = 0; i < size; i++) {
        if (i)
            buf_put(b, ", ");
        buf_float_entry(b, data[i]);
    }
    buf_put(b, "]}}");
}

static void put_int64_array(Buf *b, size_t n, const size_t *data)
{
    buf_put(b, "{\"$array\": {\"dtype\": \"int64\", \"shape\": [");
    buf_int(b, (long long)n);
    buf_put(b, "], \"data\": [");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_put(b, ", ");
        buf_int(b, (long long)data[i]);
    }
    buf_put(b, "]}}");
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fputs("lcspec_c: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

/* ---------------------------------------------------------------- the contract's functions */

/* Each takes the call's args (validated against its signature already) and writes its result. */
typedef int (*Handler)(const JValue *args, Buf *out, Err *e);

#define ARG(name) json_get(args, name)

static int fn_scores(const JValue *args, Buf *out, Err *e)
{
    Array X, W, b = {0};
    int rc = -1;
    char sh[256];
    if (arg_real_array("X", ARG("X"), 2, &X, e) != 0)
        return -1;
    if (arg_weight_matrix("W", ARG("W"), &W, e) != 0)
        goto free_x;
    if (X.shape[1] != W.shape[1]) {
        err_set(e, "ValueError", "X has shape %s but W has %zu columns: X should be (N, %zu)",
                shape_str(X.shape, 2, sh, sizeof sh), W.shape[1], W.shape[1]);
        goto free_w;
    }
    if (!arg_is_none(ARG("b"))) {
        if (arg_real_array("b", ARG("b"), 1, &b, e) != 0)
            goto free_w;
        if (b.shape[0] != W.shape[0]) {
            err_set(e, "ValueError", "b should have shape (%zu,), a bias per class of W; it has shape %s",
                    W.shape[0], shape_str(b.shape, 1, sh, sizeof sh));
            goto free_b;
        }
    }
    size_t shape[2] = {X.shape[0], W.shape[0]};
    double *S = xcalloc(shape[0] * shape[1], sizeof *S);
    if (lin_scores(X.data, X.shape[0], X.shape[1], W.data, W.shape[0], b.data, S) != 0) {
        err_set(e, "ValueError", "scores: X W^T + b overflows float64 although X, W and b are finite; rescale them");
    } else {
        put_float64_array(out, shape, 2, S);
        rc = 0;
    }
    free(S);
free_b:
    array_free(&b);
free_w:
    array_free(&W);
free_x:
    array_free(&X);
    return rc;
}

static int fn_append_ones(const JValue *args, Buf *out, Err *e)
{
    Array X;
    if (arg_real_array("X", ARG("X"), 2, &X, e) != 0)
        return -1;
    size_t N = X.shape[0], D = X.shape[1], shape[2] = {N, D + 1};
    double *R = xcalloc(N * (D + 1), sizeof *R);
    for (size_t i = 0; i < N; i++) {
        memcpy(R + i * (D + 1), X.data + i * D, D * sizeof *R);
        R[i * (D + 1) + D] = 1.0;
    }
    put_float64_array(out, shape, 2, R);
    free(R);
    array_free(&X);
    return 0;
}

static int fn_fold_bias(const JValue *args, Buf *out, Err *e)
{
    Array W, b;
    char sh[256];
    if (arg_weight_matrix("W", ARG("W"), &W, e) != 0)
        return -1;
    if (arg_real_array("b", ARG("b"), 1, &b, e) != 0) {
        array_free(&W);
        return -1;
    }
    int rc = -1;
    if (b.shape[0] != W.shape[0]) {
        err_set(e, "ValueError", "b should have shape (%zu,), one entry per row of W; it has shape %s", W.shape[0],
                shape_str(b.shape, 1, sh, sizeof sh));
    } else {
        size_t K = W.shape[0], D = W.shape[1], shape[2] = {K, D + 1};
        double *R = xcalloc(K * (D + 1), sizeof *R);
        for (size_t k = 0; k < K; k++) {
            memcpy(R + k * (D + 1), W.data + k * D, D * sizeof *R);
            R[k * (D + 1) + D] = b.data[k];
        }
        put_float64_array(out, shape, 2, R);
        free(R);
        rc = 0;
    }
    array_free(&W);
    array_free(&b);
    return rc;
}

/* S, and y and delta when the function takes them: the common preamble of the score functions. */
static int scores_labels(const JValue *args, int with_y, int with_delta, int need_rows, Array *S, size_t **y,
                         double *delta, Err *e)
{
    *y = NULL;
    if (arg_score_matrix("S", ARG("S"), need_rows, S, e) != 0)
        return -1;
    if (with_y && arg_labels("y", ARG("y"), S->shape[0], S->shape[1], y, e) != 0)
        goto bad;
    if (with_delta && arg_nonnegative("delta", ARG("delta"), 0, delta, e) != 0)
        goto bad;
    return 0;
bad:
    free(*y);
    *y = NULL;
    array_free(S);
    return -1;
}

enum { F_SOFTMAX, F_LOG_SOFTMAX, F_CE_LOSSES, F_CE_GRAD, F_HINGE, F_SQ_HINGE, F_CS_HINGE, F_HINGE_GRAD, F_PREDICT, F_ACCURACY };

/* The functions of a score matrix: one preamble, one switch. */
static int score_function(int which, const JValue *args, Buf *out, Err *e)
{
    static const struct { int y, delta, rows; } needs[] = {
        [F_SOFTMAX] = {0, 0, 0},  [F_LOG_SOFTMAX] = {0, 0, 0}, [F_CE_LOSSES] = {1, 0, 0},
        [F_CE_GRAD] = {1, 0, 1},  [F_HINGE] = {1, 1, 0},       [F_SQ_HINGE] = {1, 1, 0},
        [F_CS_HINGE] = {1, 1, 0}, [F_HINGE_GRAD] = {1, 1, 1},  [F_PREDICT] = {0, 0, 0},
        [F_ACCURACY] = {1, 0, 1},
    };
    Array S;
    size_t *y;
    double delta = 0.0;
    if (scores_labels(args, needs[which].y, needs[which].delta, needs[which].rows, &S, &y, &delta, e) != 0)
        return -1;
    size_t N = S.shape[0], K = S.shape[1];
    double *R = xcalloc(N * K, sizeof *R);
    size_t *idx;
    switch (which) {
    case F_SOFTMAX: lin_softmax(S.data, N, K, R); put_float64_array(out, S.shape, 2, R); break;
    case F_LOG_SOFTMAX: lin_log_softmax(S.data, N, K, R); put_float64_array(out, S.shape, 2, R); break;
    case F_CE_GRAD: lin_cross_entropy_grad(S.data, N, K, y, R); put_float64_array(out, S.shape, 2, R); break;
    case F_HINGE_GRAD: lin_hinge_grad(S.data, N, K, y, delta, R); put_float64_array(out, S.shape, 2, R); break;
    case F_CE_LOSSES: lin_cross_entropy_losses(S.data, N, K, y, R); put_float64_array(out, S.shape, 1, R); break;
    case F_HINGE: lin_hinge_losses(S.data, N, K, y, delta, R); put_float64_array(out, S.shape, 1, R); break;
    case F_SQ_HINGE:
    case F_CS_HINGE: {
        double *m = xcalloc(K, sizeof *m);
        for (size_t i = 0; i < N; i++) {
            const double *s = S.data + i * K;
            for (size_t j = 0; j < K; j++) {
                double mj = (s[j] - s[y[i]]) + delta;
                m[j] = j == y[i] || !(mj > 0.0) ? 0.0 : mj; /* met margins (<= 0) and the label add 0 */
                if (which == F_SQ_HINGE)
                    m[j] = m[j] * m[j];
            }
            if (which == F_SQ_HINGE) {
                R[i] = lin_sum(m, K, 1);
            } else {
                R[i] = 0.0;
                for (size_t j = 0; j < K; j++)
                    R[i] = m[j] > R[i] ? m[j] : R[i];
            }
        }
        free(m);
        put_float64_array(out, S.shape, 1, R);
        break;
    }
    case F_PREDICT:
        idx = xcalloc(N, sizeof *idx);
        lin_predict(S.data, N, K, idx);
        put_int64_array(out, N, idx);
        free(idx);
        break;
    case F_ACCURACY: buf_finite(out, lin_accuracy(S.data, N, K, y)); break;
    }
    free(R);
    free(y);
    array_free(&S);
    return 0;
}

#define SCORE_FN(fname, which) \
    static int fname(const JValue *args, Buf *out, Err *e) { return score_function(which, args, out, e); }
SCORE_FN(fn_softmax, F_SOFTMAX)
SCORE_FN(fn_log_softmax, F_LOG_SOFTMAX)
SCORE_FN(fn_cross_entropy_losses, F_CE_LOSSES)
SCORE_FN(fn_cross_entropy_grad, F_CE_GRAD)
SCORE_FN(fn_hinge_losses, F_HINGE)
SCORE_FN(fn_squared_hinge_losses, F_SQ_HINGE)
SCORE_FN(fn_crammer_singer_losses, F_CS_HINGE)
SCORE_FN(fn_hinge_grad, F_HINGE_GRAD)
SCORE_FN(fn_predict, F_PREDICT)
SCORE_FN(fn_accuracy, F_ACCURACY)

static int full_loss(LinLoss kind, const JValue *args, Buf *out, Err *e)
{
    Array W, X;
    size_t *y = NULL;
    double reg, delta = 1.0;
    char sh[256];
    int rc = -1;
    if (arg_weight_matrix("W", ARG("W"), &W, e) != 0)
        return -1;
    if (arg_real_array("X", ARG("X"), 2, &X, e) != 0)
        goto free_w;
    if (arg_nonnegative("reg", ARG("reg"), 0, &reg, e) != 0)
        goto free_x;
    if (X.shape[0] == 0) {
        err_set(e, "ValueError", "X has shape %s, no examples: the data loss is a mean over N >= 1 rows",
                shape_str(X.shape, 2, sh, sizeof sh));
        goto free_x;
    }
    if (X.shape[1] != W.shape[1]) {
        err_set(e, "ValueError", "X has shape %s but W has %zu columns: X should be (N, %zu)",
                shape_str(X.shape, 2, sh, sizeof sh), W.shape[1], W.shape[1]);
        goto free_x;
    }
    if (arg_labels("y", ARG("y"), X.shape[0], W.shape[0], &y, e) != 0)
        goto free_x;
    if (kind == LIN_SVM && arg_nonnegative("delta", ARG("delta"), 0, &delta, e) != 0)
        goto free_y;
    double loss;
    double *dW = xcalloc(W.size, sizeof *dW);
    switch (lin_full_loss(kind, W.data, W.shape[0], W.shape[1], X.data, X.shape[0], y, reg, delta, &loss, dW)) {
    case LIN_SCORES_OVERFLOW:
        err_set(e, "ValueError", "scores: X W^T overflows float64 although X and W are finite; rescale them");
        break;
    case LIN_PENALTY_OVERFLOW:
        err_set(e, "ValueError", "reg * sum(W**2) overflows float64 (reg = %.17g); rescale W or reg", reg);
        break;
    default:
        buf_put(out, "{\"$tuple\": [");
        buf_float(out, loss);
        buf_put(out, ", ");
        put_float64_array(out, W.shape, 2, dW);
        buf_put(out, "]}");
        rc = 0;
    }
    free(dW);
free_y:
    free(y);
free_x:
    array_free(&X);
free_w:
    array_free(&W);
    return rc;
}

static int fn_svm_loss(const JValue *args, Buf *out, Err *e) { return full_loss(LIN_SVM, args, out, e); }
static int fn_softmax_loss(const JValue *args, Buf *out, Err *e) { return full_loss(LIN_SOFTMAX, args, out, e); }

static int fn_l2_penalty(const JValue *args, Buf *out, Err *e)
{
    Array W;
    if (arg_real_array("W", ARG("W"), 2, &W, e) != 0)
        return -1;
    double r = lin_l2_penalty(W.data, W.size);
    array_free(&W);
    if (!isfinite(r)) {
        err_set(e, "ValueError", "l2_penalty: sum(W**2) overflows float64 although W is finite");
        return -1;
    }
    buf_finite(out, r);
    return 0;
}

static int same_shape(const char *name, const Array *a, const char *other, const Array *b, Err *e)
{
    char sa[256], sb[256];
    if (a->ndim == b->ndim && memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof a->shape[0]) == 0)
        return 0;
    err_set(e, "ValueError", "%s has shape %s; it should have %s's shape %s", name,
            shape_str(a->shape, a->ndim, sa, sizeof sa), other, shape_str(b->shape, b->ndim, sb, sizeof sb));
    return -1;
}

static int fn_sgd_step(const JValue *args, Buf *out, Err *e)
{
    Array W, dW = {0};
    double lr;
    int rc = -1;
    if (arg_real_array("W", ARG("W"), -1, &W, e) != 0)
        return -1;
    if (arg_real_array("dW", ARG("dW"), -1, &dW, e) != 0 || same_shape("dW", &dW, "W", &W, e) != 0 ||
        arg_nonnegative("learning_rate", ARG("learning_rate"), 0, &lr, e) != 0)
        goto done;
    double *R = xcalloc(W.size, sizeof *R);
    if (lin_sgd_step(W.data, dW.data, W.size, lr, R) != 0) {
        err_set(e, "ValueError", "sgd_step: W - learning_rate * dW overflows float64; the step diverges");
    } else {
        put_float64_array(out, W.shape, W.ndim, R);
        rc = 0;
    }
    free(R);
done:
    array_free(&W);
    array_free(&dW);
    return rc;
}

static double norm2(const double *a, size_t n) /* sqrt(a . a), as numpy.linalg.norm of a flat array */
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * a[i];
    return sqrt(s);
}

static int fn_relative_error(const JValue *args, Buf *out, Err *e)
{
    Array a, b = {0};
    int rc = -1;
    if (arg_real_array("a", ARG("a"), -1, &a, e) != 0)
        return -1;
    if (arg_real_array("b", ARG("b"), -1, &b, e) != 0 || same_shape("b", &b, "a", &a, e) != 0)
        goto done;
    double largest = 0.0;
    for (size_t i = 0; i < a.size; i++) {
        largest = fabs(a.data[i]) > largest ? fabs(a.data[i]) : largest;
        largest = fabs(b.data[i]) > largest ? fabs(b.data[i]) : largest;
    }
    if (largest == 0.0) {
        buf_finite(out, 0.0);
    } else { /* scaled by the largest entry first, so that the norms stay finite */
        double *d = xcalloc(a.size, sizeof *d);
        for (size_t i = 0; i < a.size; i++) {
            a.data[i] /= largest;
            b.data[i] /= largest;
            d[i] = a.data[i] - b.data[i];
        }
        double na = norm2(a.data, a.size), nb = norm2(b.data, b.size);
        buf_finite(out, norm2(d, a.size) / (na > nb ? na : nb));
        free(d);
    }
    rc = 0;
done:
    array_free(&a);
    array_free(&b);
    return rc;
}

/* numerical_gradient's f lives in the judge: each evaluation is a call-back line and its reply. */
typedef struct {
    long long handle;
    const Array *x;
    Err *e;
} CallBack;

static int call_back(void *ctx, const double *point, double *value)
{
    CallBack *cb = ctx;
    Buf b;
    buf_init(&b);
    buf_put(&b, "{\"callback\": ");
    buf_int(&b, cb->handle);
    buf_put(&b, ", \"args\": [");
    put_float64_array(&b, cb->x->shape, cb->x->ndim, point);
    buf_put(&b, "]}");
    send(&b);
    buf_free(&b);

    size_t len;
    char *line = read_line(&len), perr[256];
    if (!line) {
        fputs("lcspec_c: stdin closed while waiting for a call-back's reply; exiting\n", stderr);
        exit(1);
    }
    JValue reply;
    int rc = json_parse(line, len, &reply, perr, sizeof perr);
    free(line);
    if (rc != 0) {
        err_set(cb->e, "ProtocolError", "the reply to call-back %lld is not JSON: %s", cb->handle, perr);
        return 1;
    }
    const JValue *result = json_get(&reply, "result"), *error = json_get(&reply, "error");
    rc = 1;
    if (error) { /* f raised: the call fails with f's error, as the reference lets it propagate */
        const JValue *type = json_get(error, "type"), *message = json_get(error, "message");
        if (type && type->type == J_STRING)
            err_set(cb->e, type->str, "%s", message && message->type == J_STRING ? message->str : "");
        else
            err_set(cb->e, "ProtocolError", "the error reply to call-back %lld has no \"type\"", cb->handle);
    } else if (!result) {
        err_set(cb->e, "ProtocolError", "the reply to call-back %lld has neither \"result\" nor \"error\"", cb->handle);
    } else {
        rc = result_scalar("f", result, value, cb->e) != 0;
    }
    json_free(&reply);
    return rc;
}

static int fn_numerical_gradient(const JValue *args, Buf *out, Err *e)
{
    long long handle;
    Array x;
    double h;
    int centered;
    if (arg_function("f", ARG("f"), &handle, e) != 0)
        return -1;
    if (arg_real_array("x", ARG("x"), -1, &x, e) != 0)
        return -1;
    if (arg_nonnegative("h", ARG("h"), 1, &h, e) != 0 || arg_bool("centered", ARG("centered"), &centered, e) != 0) {
        array_free(&x);
        return -1;
    }
    CallBack cb = {handle, &x, e};
    double *grad = xcalloc(x.size, sizeof *grad);
    int rc = lin_numerical_gradient(call_back, &cb, x.data, x.size, h, centered, grad);
    if (rc == 0)
        put_float64_array(out, x.shape, x.ndim, grad);
    free(grad);
    array_free(&x);
    return rc ? -1 : 0;
}

/* ---------------------------------------------------------------- dispatch */

typedef struct {
    const char *name;
    Handler fn;
    const char *params[5];   /* in signature order */
    int required;            /* how many leading params have no default */
    const char *defaults[5]; /* JSON text of the defaults of the others, by position */
} Function;

static const Function FUNCTIONS[] = {
    {"scores", fn_scores, {"X", "W", "b"}, 2, {NULL, NULL, "null"}},
    {"append_ones", fn_append_ones, {"X"}, 1, {NULL}},
    {"fold_bias", fn_fold_bias, {"W", "b"}, 2, {NULL}},
    {"hinge_losses", fn_hinge_losses, {"S", "y", "delta"}, 2, {NULL, NULL, "1.0"}},
    {"squared_hinge_losses", fn_squared_hinge_losses, {"S", "y", "delta"}, 2, {NULL, NULL, "1.0"}},
    {"crammer_singer_losses", fn_crammer_singer_losses, {"S", "y", "delta"}, 2, {NULL, NULL, "1.0"}},
    {"softmax", fn_softmax, {"S"}, 1, {NULL}},
    {"log_softmax", fn_log_softmax, {"S"}, 1, {NULL}},
    {"cross_entropy_losses", fn_cross_entropy_losses, {"S", "y"}, 2, {NULL}},
    {"l2_penalty", fn_l2_penalty, {"W"}, 1, {NULL}},
    {"hinge_grad", fn_hinge_grad, {"S", "y", "delta"}, 2, {NULL, NULL, "1.0"}},
    {"cross_entropy_grad", fn_cross_entropy_grad, {"S", "y"}, 2, {NULL}},
    {"svm_loss", fn_svm_loss, {"W", "X", "y", "reg", "delta"}, 4, {NULL, NULL, NULL, NULL, "1.0"}},
    {"softmax_loss", fn_softmax_loss, {"W", "X", "y", "reg"}, 4, {NULL}},
    {"numerical_gradient", fn_numerical_gradient, {"f", "x", "h", "centered"}, 2, {NULL, NULL, "1e-05", "true"}},
    {"relative_error", fn_relative_error, {"a", "b"}, 2, {NULL}},
    {"sgd_step", fn_sgd_step, {"W", "dW", "learning_rate"}, 3, {NULL}},
    {"predict", fn_predict, {"S"}, 1, {NULL}},
    {"accuracy", fn_accuracy, {"S", "y"}, 2, {NULL}},
};
#define N_FUNCTIONS (sizeof FUNCTIONS / sizeof FUNCTIONS[0])

static const Function *find_function(const char *name)
{
    for (size_t i = 0; i < N_FUNCTIONS; i++)
        if (strcmp(FUNCTIONS[i].name, name) == 0)
            return &FUNCTIONS[i];
    return NULL;
}

/* The call's args with every parameter present (defaults filled in), or an error for a missing or an
 * unexpected one, as Python's call would raise. The result is a fresh object the caller frees. */
static int bind_args(const Function *f, const JValue *given, JValue *bound, Err *e)
{
    size_t nparams = 0;
    while (nparams < 5 && f->params[nparams])
        nparams++;
    if (!given || given->type != J_OBJECT || value_tag(given)) {
        err_set(e, "ProtocolError", "a call's \"args\" must be an object naming %s's parameters", f->name);
        return -1;
    }
    for (size_t i = 0; i < given->len; i++) {
        size_t p = 0;
        while (p < nparams && strcmp(f->params[p], given->keys[i]) != 0)
            p++;
        if (p == nparams) {
            err_set(e, "TypeError", "%s() has no parameter %.200s", f->name, given->keys[i]);
            return -1;
        }
    }
    Buf text;
    buf_init(&text);
    buf_putc(&text, '{');
    for (size_t p = 0; p < nparams; p++) {
        if (!json_get(given, f->params[p]) && (int)p < f->required) {
            err_set(e, "TypeError", "%s() is missing its argument %s", f->name, f->params[p]);
            buf_free(&text);
            return -1;
        }
        if (!json_get(given, f->params[p])) {
            if (text.len > 1)
                buf_put(&text, ", ");
            buf_string(&text, f->params[p], strlen(f->params[p]));
            buf_put(&text, ": ");
            buf_put(&text, f->defaults[p]);
        }
    }
    buf_putc(&text, '}');
    char perr[128];
    if (json_parse(text.data, text.len, bound, perr, sizeof perr) != 0) {
        fprintf(stderr, "lcspec_c: bad default for %s: %s\n", f->name, perr);
        exit(4);
    }
    buf_free(&text);
    return 0;
}

/* A JValue that looks up a name first in the call's args, then in the defaults: a tiny view. */
static const JValue *merged(const JValue *given, JValue *defaults, JValue *out)
{
    size_t n = given->len + defaults->len;
    out->type = J_OBJECT;
    out->len = n;
    out->items = malloc((n ? n : 1) * sizeof *out->items);
    out->keys = malloc((n ? n : 1) * sizeof *out->keys);
    if (!out->items || !out->keys) {
        fputs("lcspec_c: out of memory\n", stderr);
        exit(3);
    }
    if (defaults->len) { /* an empty object has no item arrays at all, and memcpy may not take NULL */
        memcpy(out->items, defaults->items, defaults->len * sizeof *out->items);
        memcpy(out->keys, defaults->keys, defaults->len * sizeof *out->keys);
    }
    if (given->len) {
        memcpy(out->items + defaults->len, given->items, given->len * sizeof *out->items);
        memcpy(out->keys + defaults->len, given->keys, given->len * sizeof *out->keys);
    }
    return out;
}

static void handle_call(const JValue *req)
{
    const JValue *id = json_get(req, "id"), *fname = json_get(req, "function");
    Err e = {"", ""};
    if (!id || id->type != J_INT || !id->int_fits) {
        err_set(&e, "ProtocolError", "a call needs an integer \"id\"");
        send_error(NULL, &e);
        return;
    }
    if (!fname || fname->type != J_STRING) {
        err_set(&e, "ProtocolError", "a call needs a \"function\" name");
        send_error(id, &e);
        return;
    }
    const Function *f = find_function(fname->str);
    if (!f) {
        err_set(&e, "ProtocolError", IMPL_NAME " does not provide %.200s", fname->str);
        send_error(id, &e);
        return;
    }
    JValue defaults, all;
    const JValue *given = json_get(req, "args");
    if (bind_args(f, given, &defaults, &e) != 0) {
        send_error(id, &e);
        return;
    }
    merged(given, &defaults, &all);
    Buf out;
    buf_init(&out);
    buf_put(&out, "{\"id\": ");
    buf_int(&out, id->integer);
    buf_put(&out, ", \"result\": ");
    int rc = f->fn(&all, &out, &e);
    free(all.items); /* a view: the values belong to req and defaults */
    free(all.keys);
    json_free(&defaults);
    if (rc == 0) {
        buf_putc(&out, '}');
        send(&out);
    } else {
        if (!e.type[0])
            err_set(&e, "RuntimeError", "%s failed without saying why", f->name);
        send_error(id, &e);
    }
    buf_free(&out);
}

static void handshake(const JValue *hello)
{
    const JValue *contract = json_get(hello, "contract");
    Buf b;
    buf_init(&b);
    buf_put(&b, "{\"protocol\": 1, \"implementation\": {\"name\": \"" IMPL_NAME "\", \"version\": \"" IMPL_VERSION
                "\", \"language\": \"c\"}, \"provides\": [");
    int first = 1;
    for (size_t i = 0; i < N_FUNCTIONS; i++) {
        int wanted = !contract || contract->type != J_ARRAY;
        for (size_t j = 0; !wanted && j < contract->len; j++)
            wanted = contract->items[j].type == J_STRING && strcmp(contract->items[j].str, FUNCTIONS[i].name) == 0;
        if (!wanted)
            continue;
        if (!first)
            buf_put(&b, ", ");
        buf_string(&b, FUNCTIONS[i].name, strlen(FUNCTIONS[i].name));
        first = 0;
    }
    buf_put(&b, "], \"precision\": \"float64\", \"pipelining\": true, \"notes\": [\"a C99 port (examples/c): float64 throughout; sums over a "
                "row and means over examples use numpy's pairwise order, matrix products sequential dot products\"]}");
    send(&b);
    buf_free(&b);
}

int main(void)
{
    size_t len;
    char *line, perr[256];
    JValue msg;
    Err e;
    int greeted = 0;

    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    while ((line = read_line(&len)) != NULL) {
        if (len == 0) {
            free(line);
            continue;
        }
        int rc = json_parse(line, len, &msg, perr, sizeof perr);
        free(line);
        if (rc != 0) {
            err_set(&e, "ProtocolError", "a line that is not JSON: %s", perr);
            send_error(NULL, &e);
            if (!greeted)
                return 2;
            continue;
        }
        const JValue *op = json_get(&msg, "op");
        const char *opname = op && op->type == J_STRING ? op->str : "";
        if (!greeted) {
            const JValue *proto = json_get(&msg, "protocol");
            if (strcmp(opname, "hello") != 0 || !proto || proto->type != J_INT || proto->integer != 1) {
                err_set(&e, "ProtocolError", IMPL_NAME " speaks lcspec-protocol/1 and expects {\"op\": \"hello\", "
                        "\"protocol\": 1} first");
                send_error(NULL, &e);
                json_free(&msg);
                return 2;
            }
            handshake(&msg);
            greeted = 1;
        } else if (strcmp(opname, "call") == 0) {
            handle_call(&msg);
        } else if (strcmp(opname, "bye") == 0) {
            json_free(&msg);
            return 0;
        } else {
            err_set(&e, "ProtocolError", "unknown op \"%.100s\"", opname);
            send_error(json_get(&msg, "id"), &e);
        }
        json_free(&msg);
    }
    return 0; /* stdin closed: the same as bye */
}
