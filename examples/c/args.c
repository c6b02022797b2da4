/* Protocol values as numpy-like arrays, and the contract's argument checks; see args.h. */
#include "args.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void err_set(Err *e, const char *type, const char *fmt, ...)
{
    va_list ap;
    snprintf(e->type, sizeof e->type, "%s", type);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

void array_free(Array *a)
{
    free(a->data);
    a->data = NULL;
}

const char *shape_str(const size_t *shape, int ndim, char *buf, size_t n)
{
    size_t used = 0;
    used += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < ndim && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %zu" : "%zu", shape[i]);
    if (used < n)
        snprintf(buf + used, n - used, ndim == 1 ? ",)" : ")");
    return buf;
}

/* ---------------------------------------------------------------- tagged values */

const char *value_tag(const JValue *v)
{
    if (v && v->type == J_OBJECT && v->len == 1 && v->keys[0][0] == '$')
        return v->keys[0];
    return NULL;
}

static int is_tag(const JValue *v, const char *tag)
{
    const char *t = value_tag(v);
    return t && strcmp(t, tag) == 0;
}

static const char *describe(const JValue *v)
{
    static char buf[128];
    const char *tag = value_tag(v);
    if (!v)
        return "nothing";
    switch (v->type) {
    case J_NULL: return "null (None)";
    case J_BOOL: return "a bool";
    case J_INT: return "an integer";
    case J_FLOAT: return "a float";
    case J_STRING: return "a string";
    case J_ARRAY: return "a list";
    case J_OBJECT:
        if (!tag)
            return "an object (dict)";
        if (strcmp(tag, "$float") == 0) return "a float";
        if (strcmp(tag, "$tuple") == 0) return "a tuple";
        if (strcmp(tag, "$function") == 0) return "a function";
        if (strcmp(tag, "$array") == 0) {
            const JValue *dt = json_get(v->items, "dtype"), *sh = json_get(v->items, "shape");
            snprintf(buf, sizeof buf, "an array of dtype %.24s with %zu dimension(s)",
                     dt && dt->type == J_STRING ? dt->str : "?", sh && sh->type == J_ARRAY ? sh->len : (size_t)0);
            return buf;
        }
        return "an opaque object";
    }
    return "a value";
}

/* The double a $float tag stands for; returns 0 when the tag is malformed. */
static int tagged_float(const JValue *v, double *out)
{
    const JValue *s = v->items;
    if (s->type != J_STRING)
        return 0;
    if (strcmp(s->str, "inf") == 0) *out = HUGE_VAL;
    else if (strcmp(s->str, "-inf") == 0) *out = -HUGE_VAL;
    else if (strcmp(s->str, "nan") == 0) *out = NAN;
    else return 0;
    return 1;
}

static Kind dtype_kind(const char *dtype)
{
    static const char *floats[] = {"float64", "float32", "float16"};
    static const char *ints[] = {"int64", "int32", "int16", "int8"};
    static const char *uints[] = {"uint64", "uint32", "uint16", "uint8"};
    for (size_t i = 0; i < 3; i++)
        if (strcmp(dtype, floats[i]) == 0) return KIND_FLOAT;
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(dtype, ints[i]) == 0) return KIND_INT;
        if (strcmp(dtype, uints[i]) == 0) return KIND_UINT;
    }
    if (strcmp(dtype, "bool") == 0) return KIND_BOOL;
    if (strcmp(dtype, "complex128") == 0 || strcmp(dtype, "complex64") == 0) return KIND_COMPLEX;
    if (strcmp(dtype, "str") == 0) return KIND_STR;
    if (strcmp(dtype, "object") == 0) return KIND_OBJECT;
    return KIND_UNKNOWN;
}

static int is_real(Kind k) { return k == KIND_FLOAT || k == KIND_INT || k == KIND_UINT; }

/* ---------------------------------------------------------------- numpy.asarray, in outline */

enum { F_BOOL = 1, F_INT = 2, F_UINT = 4, F_FLOAT = 8, F_COMPLEX = 16, F_STR = 32, F_OBJECT = 64, F_UNKNOWN = 128 };

typedef struct {
    int ndim;
    size_t shape[MAX_NDIM];
} Shape;

/* The header of an $array: its dtype's kind and name, its shape, its data list. ProtocolError when
 * malformed. */
static int array_header(const char *name, const JValue *v, Kind *kind, const char **dtype, Shape *sh,
                        size_t *size, const JValue **data, Err *e)
{
    const JValue *body = v->items, *dt, *shape;
    if (body->type != J_OBJECT || !(dt = json_get(body, "dtype")) || dt->type != J_STRING ||
        !(shape = json_get(body, "shape")) || shape->type != J_ARRAY || !(*data = json_get(body, "data")) ||
        (*data)->type != J_ARRAY) {
        err_set(e, "ProtocolError", "%s: an $array needs \"dtype\" (a string), \"shape\" and \"data\" (lists)", name);
        return -1;
    }
    if (shape->len > MAX_NDIM) {
        err_set(e, "ValueError", "%s has %zu dimensions; this port handles at most %d", name, shape->len, MAX_NDIM);
        return -1;
    }
    sh->ndim = (int)shape->len;
    *size = 1;
    for (size_t i = 0; i < shape->len; i++) {
        const JValue *d = &shape->items[i];
        if (d->type != J_INT || !d->int_fits || d->integer < 0) {
            err_set(e, "ProtocolError", "%s: an $array's shape must hold non-negative integers", name);
            return -1;
        }
        sh->shape[i] = (size_t)d->integer;
        *size *= sh->shape[i];
    }
    if ((*data)->len != *size) {
        err_set(e, "ProtocolError", "%s: an $array of shape %s needs %zu data entries, got %zu", name,
                shape_str(sh->shape, sh->ndim, (char[256]){0}, 256), *size, (*data)->len);
        return -1;
    }
    *dtype = dt->str;
    *kind = dtype_kind(dt->str);
    return 0;
}

/* The shape and kinds of v, as numpy.asarray would see them. TypeError for ragged lists. */
static int infer(const char *name, const JValue *v, int depth, Shape *out, unsigned *kinds, Err *e)
{
    const char *tag = value_tag(v);
    out->ndim = 0;
    if (v->type == J_ARRAY || (tag && strcmp(tag, "$tuple") == 0)) {
        const JValue *list = v->type == J_ARRAY ? v : v->items;
        if (list->type != J_ARRAY) {
            err_set(e, "ProtocolError", "%s: a $tuple must hold a list", name);
            return -1;
        }
        if (depth >= MAX_NDIM) {
            err_set(e, "ValueError", "%s nests lists more than %d deep", name, MAX_NDIM);
            return -1;
        }
        out->ndim = 1;
        out->shape[0] = list->len;
        for (size_t i = 0; i < list->len; i++) {
            Shape item;
            if (infer(name, &list->items[i], depth + 1, &item, kinds, e) != 0)
                return -1;
            if (item.ndim + 1 > MAX_NDIM) {
                err_set(e, "ValueError", "%s has more than %d dimensions", name, MAX_NDIM);
                return -1;
            }
            if (i == 0) {
                memcpy(out->shape + 1, item.shape, (size_t)item.ndim * sizeof item.shape[0]);
                out->ndim = 1 + item.ndim;
            } else if (item.ndim + 1 != out->ndim || memcmp(out->shape + 1, item.shape, (size_t)item.ndim * sizeof item.shape[0]) != 0) {
                err_set(e, "TypeError", "%s cannot be read as an array: its nested lists are ragged "
                        "(element %zu at depth %d has a different shape from element 0)", name, i, depth);
                return -1;
            }
        }
        return 0;
    }
    switch (v->type) {
    case J_NULL: *kinds |= F_OBJECT; return 0;
    case J_BOOL: *kinds |= F_BOOL; return 0;
    case J_INT: *kinds |= v->int_fits ? F_INT : F_OBJECT; return 0;
    case J_FLOAT: *kinds |= F_FLOAT; return 0;
    case J_STRING: *kinds |= F_STR; return 0;
    default: break;
    }
    if (!tag) { /* a plain dict: numpy makes a 0-d object array of it */
        *kinds |= F_OBJECT;
        return 0;
    }
    if (strcmp(tag, "$float") == 0) {
        double x;
        if (!tagged_float(v, &x)) {
            err_set(e, "ProtocolError", "%s: $float must be \"inf\", \"-inf\" or \"nan\"", name);
            return -1;
        }
        *kinds |= F_FLOAT;
        return 0;
    }
    if (strcmp(tag, "$function") == 0 || strcmp(tag, "$object") == 0) {
        *kinds |= F_OBJECT;
        return 0;
    }
    if (strcmp(tag, "$array") == 0) {
        Kind k;
        const char *dtype;
        const JValue *data;
        size_t size;
        if (array_header(name, v, &k, &dtype, out, &size, &data, e) != 0)
            return -1;
        static const unsigned flag[] = {F_FLOAT, F_INT, F_UINT, F_BOOL, F_COMPLEX, F_STR, F_OBJECT, F_UNKNOWN};
        *kinds |= flag[k];
        return 0;
    }
    err_set(e, "ProtocolError", "%s: unknown tag %s", name, tag);
    return -1;
}

/* Writes v's entries, converted to double, at *pos onwards (row-major). Only for real kinds. */
static int fill(const char *name, const JValue *v, double *data, size_t *pos, Err *e)
{
    const char *tag = value_tag(v);
    if (v->type == J_ARRAY || (tag && strcmp(tag, "$tuple") == 0)) {
        const JValue *list = v->type == J_ARRAY ? v : v->items;
        for (size_t i = 0; i < list->len; i++)
            if (fill(name, &list->items[i], data, pos, e) != 0)
                return -1;
        return 0;
    }
    switch (v->type) {
    case J_BOOL: data[(*pos)++] = v->boolean ? 1.0 : 0.0; return 0;
    case J_INT:
    case J_FLOAT: data[(*pos)++] = v->number; return 0;
    default: break;
    }
    if (tag && strcmp(tag, "$float") == 0) {
        tagged_float(v, &data[(*pos)++]);
        return 0;
    }
    /* an $array of a real (or bool, mixed into a real list) dtype */
    Kind k;
    const char *dtype;
    const JValue *entries;
    size_t size;
    Shape sh;
    if (array_header(name, v, &k, &dtype, &sh, &size, &entries, e) != 0)
        return -1;
    for (size_t i = 0; i < size; i++) {
        const JValue *x = &entries->items[i];
        double d;
        if (k == KIND_BOOL && x->type == J_BOOL)
            d = x->boolean ? 1.0 : 0.0;
        else if (k == KIND_FLOAT && (x->type == J_INT || x->type == J_FLOAT))
            d = x->number;
        else if ((k == KIND_INT || k == KIND_UINT) && x->type == J_INT)
            d = x->number;
        else if (k == KIND_FLOAT && x->type == J_STRING && strcmp(x->str, "inf") == 0)
            d = HUGE_VAL;
        else if (k == KIND_FLOAT && x->type == J_STRING && strcmp(x->str, "-inf") == 0)
            d = -HUGE_VAL;
        else if (k == KIND_FLOAT && x->type == J_STRING && strcmp(x->str, "nan") == 0)
            d = NAN;
        else {
            err_set(e, "ProtocolError", "%s: entry %zu of an $array of dtype %s is %s", name, i, dtype, describe(x));
            return -1;
        }
        data[(*pos)++] = d;
    }
    return 0;
}

/* v as an array, as numpy.asarray(v) would make it; data only for real kinds. */
static int to_array(const char *name, const JValue *v, Array *out, Err *e)
{
    Shape sh;
    unsigned kinds = 0;
    memset(out, 0, sizeof *out);
    if (!v) {
        err_set(e, "TypeError", "%s is missing", name);
        return -1;
    }
    if (infer(name, v, 0, &sh, &kinds, e) != 0)
        return -1;
    out->ndim = sh.ndim;
    memcpy(out->shape, sh.shape, sizeof sh.shape);
    out->size = 1;
    for (int i = 0; i < sh.ndim; i++)
        out->size *= sh.shape[i];
    if (is_tag(v, "$array")) {
        const char *dtype;
        const JValue *data;
        size_t size;
        array_header(name, v, &out->kind, &dtype, &sh, &size, &data, e);
        snprintf(out->dtype, sizeof out->dtype, "%s", dtype);
    } else {
        /* numpy's promotion for a nested list of scalars */
        if (kinds & F_OBJECT) out->kind = KIND_OBJECT;
        else if (kinds & F_UNKNOWN) out->kind = KIND_UNKNOWN;
        else if (kinds & F_STR) out->kind = KIND_STR;
        else if (kinds & F_COMPLEX) out->kind = KIND_COMPLEX;
        else if (kinds & F_FLOAT) out->kind = KIND_FLOAT;
        else if ((kinds & F_INT) && (kinds & F_UINT)) out->kind = KIND_FLOAT;
        else if (kinds & F_UINT) out->kind = KIND_UINT;
        else if (kinds & F_INT) out->kind = KIND_INT;
        else if (kinds & F_BOOL) out->kind = KIND_BOOL;
        else out->kind = KIND_FLOAT; /* an empty list */
        static const char *names[] = {"float64", "int64", "uint64", "bool", "complex128", "str", "object", "unknown"};
        snprintf(out->dtype, sizeof out->dtype, "%s", names[out->kind]);
    }
    if (!is_real(out->kind))
        return 0;
    out->data = malloc((out->size ? out->size : 1) * sizeof *out->data);
    if (!out->data) {
        err_set(e, "MemoryError", "%s: no memory for %zu entries", name, out->size);
        return -1;
    }
    size_t pos = 0;
    if (fill(name, v, out->data, &pos, e) != 0) {
        array_free(out);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the contract's checks */

int arg_real_array(const char *name, const JValue *v, int ndim, Array *out, Err *e)
{
    char sh[256];
    if (to_array(name, v, out, e) != 0)
        return -1;
    if (!is_real(out->kind)) {
        err_set(e, "TypeError", "%s needs real numbers (an integer or floating-point dtype); it arrived with dtype %s",
                name, out->dtype);
        goto bad;
    }
    if (ndim >= 0 && out->ndim != ndim) {
        err_set(e, "ValueError", "%s should be a %d-D array but has %d dimension(s), shape %s", name, ndim,
                out->ndim, shape_str(out->shape, out->ndim, sh, sizeof sh));
        goto bad;
    }
    for (size_t i = 0; i < out->size; i++)
        if (!isfinite(out->data[i])) {
            err_set(e, "ValueError", "%s has a non-finite entry (%s) at flat index %zu; NaN and infinities are refused",
                    name, isnan(out->data[i]) ? "nan" : out->data[i] > 0 ? "inf" : "-inf", i);
            goto bad;
        }
    return 0;
bad:
    array_free(out);
    return -1;
}

int arg_score_matrix(const char *name, const JValue *v, int need_rows, Array *out, Err *e)
{
    char sh[256];
    if (arg_real_array(name, v, 2, out, e) != 0)
        return -1;
    shape_str(out->shape, 2, sh, sizeof sh);
    if (out->shape[1] < 2) {
        err_set(e, "ValueError", "%s has shape %s: scores of shape (N, K) need K >= 2 classes", name, sh);
        goto bad;
    }
    if (need_rows && out->shape[0] == 0) {
        err_set(e, "ValueError", "%s has shape %s, no examples: a mean over the N rows needs N >= 1", name, sh);
        goto bad;
    }
    return 0;
bad:
    array_free(out);
    return -1;
}

int arg_weight_matrix(const char *name, const JValue *v, Array *out, Err *e)
{
    char sh[256];
    if (arg_real_array(name, v, 2, out, e) != 0)
        return -1;
    if (out->shape[0] < 2) {
        err_set(e, "ValueError", "%s has shape %s: weights of shape (K, D) need K >= 2 classes", name,
                shape_str(out->shape, 2, sh, sizeof sh));
        array_free(out);
        return -1;
    }
    return 0;
}

int arg_labels(const char *name, const JValue *v, size_t n, size_t k, size_t **labels, Err *e)
{
    Array a;
    char sh[256];
    *labels = NULL;
    if (to_array(name, v, &a, e) != 0)
        return -1;
    if (a.kind != KIND_INT && a.kind != KIND_UINT) {
        err_set(e, "TypeError", "%s should hold integer class indices; it arrived with dtype %s", name, a.dtype);
        goto bad;
    }
    if (a.ndim != 1 || a.shape[0] != n) {
        err_set(e, "ValueError", "%s should have shape (%zu,), one label per example; it has shape %s", name, n,
                shape_str(a.shape, a.ndim, sh, sizeof sh));
        goto bad;
    }
    *labels = malloc((n ? n : 1) * sizeof **labels);
    if (!*labels) {
        err_set(e, "MemoryError", "%s: no memory for %zu labels", name, n);
        goto bad;
    }
    for (size_t i = 0; i < n; i++) {
        double c = a.data[i];
        if (!(c >= 0.0 && c < (double)k)) {
            err_set(e, "ValueError", "%s holds the label %.0f; labels must be class indices 0 to %zu", name, c, k - 1);
            free(*labels);
            *labels = NULL;
            goto bad;
        }
        (*labels)[i] = (size_t)c;
    }
    array_free(&a);
    return 0;
bad:
    array_free(&a);
    return -1;
}

/* A real scalar: a JSON number, a $float, or a 0-d array of a real dtype (numpy's typed scalars). */
static int real_scalar(const JValue *v, double *out)
{
    if (!v)
        return 0;
    if (v->type == J_INT || v->type == J_FLOAT) {
        *out = v->number;
        return 1;
    }
    if (is_tag(v, "$float"))
        return tagged_float(v, out);
    if (is_tag(v, "$array")) {
        const JValue *dt = json_get(v->items, "dtype"), *sh = json_get(v->items, "shape"),
                     *data = json_get(v->items, "data");
        if (dt && dt->type == J_STRING && is_real(dtype_kind(dt->str)) && sh && sh->type == J_ARRAY &&
            sh->len == 0 && data && data->type == J_ARRAY && data->len == 1) {
            const JValue *x = &data->items[0];
            if (x->type == J_INT || x->type == J_FLOAT) {
                *out = x->number;
                return 1;
            }
            if (x->type == J_STRING) {
                JValue tag = {.type = J_OBJECT, .len = 1, .items = (JValue *)x};
                return tagged_float(&tag, out);
            }
        }
    }
    return 0;
}

int arg_nonnegative(const char *name, const JValue *v, int strictly, double *out, Err *e)
{
    double x;
    if (!real_scalar(v, &x)) {
        err_set(e, "TypeError", "%s should be a real number; it is %s", name, describe(v));
        return -1;
    }
    if (!isfinite(x)) {
        err_set(e, "ValueError", "%s should be finite; it is %s", name, isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
        return -1;
    }
    if (x < 0.0 || (strictly && x == 0.0)) {
        err_set(e, "ValueError", "%s should be %s 0; it is %.17g", name, strictly ? ">" : ">=", x);
        return -1;
    }
    *out = x;
    return 0;
}

int arg_bool(const char *name, const JValue *v, int *out, Err *e)
{
    if (v && v->type == J_BOOL) {
        *out = v->boolean;
        return 0;
    }
    if (is_tag(v, "$array")) {
        const JValue *dt = json_get(v->items, "dtype"), *sh = json_get(v->items, "shape"),
                     *data = json_get(v->items, "data");
        if (dt && dt->type == J_STRING && strcmp(dt->str, "bool") == 0 && sh && sh->type == J_ARRAY &&
            sh->len == 0 && data && data->type == J_ARRAY && data->len == 1 && data->items[0].type == J_BOOL) {
            *out = data->items[0].boolean;
            return 0;
        }
    }
    err_set(e, "TypeError", "%s should be a bool (true or false); it is %s", name, describe(v));
    return -1;
}

int arg_function(const char *name, const JValue *v, long long *handle, Err *e)
{
    if (is_tag(v, "$function")) {
        const JValue *h = v->items;
        if (h->type != J_INT || !h->int_fits) {
            err_set(e, "ProtocolError", "%s: $function must hold an integer handle", name);
            return -1;
        }
        *handle = h->integer;
        return 0;
    }
    err_set(e, "TypeError", "%s should be a function to call; it is %s", name, describe(v));
    return -1;
}

int arg_is_none(const JValue *v) { return !v || v->type == J_NULL; }

int result_scalar(const char *name, const JValue *v, double *out, Err *e)
{
    double x;
    int ok = real_scalar(v, &x);
    if (!ok && is_tag(v, "$array")) { /* a one-entry real array of any rank, as the reference takes it */
        Array a;
        if (to_array(name, v, &a, e) != 0)
            return -1;
        if (is_real(a.kind) && a.size == 1) {
            x = a.data[0];
            ok = 1;
        }
        array_free(&a);
    }
    if (!ok) {
        err_set(e, "TypeError", "%s should return a real number; it returned %s", name, describe(v));
        return -1;
    }
    if (!isfinite(x)) {
        err_set(e, "ValueError", "%s returned %s; a finite value is needed", name, isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
        return -1;
    }
    *out = x;
    return 0;
}
