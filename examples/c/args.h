/* Decoding protocol values into arrays the way numpy's asarray would, and the contract's argument
 * checks (spec/00-conventions.md section 0.3): TypeError for the wrong kind of thing, ValueError for
 * the right kind with a wrong value, each message naming the argument.
 */
#ifndef LCSPEC_ARGS_H
#define LCSPEC_ARGS_H

#include <stddef.h>

#include "json.h"

/* The error a call answers with: "ValueError", "TypeError", "ProtocolError", or a type the judge
 * sent back from a call-back. An empty type means no error. */
typedef struct {
    char type[64];
    char message[1024];
} Err;

void err_set(Err *e, const char *type, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* What numpy would call the array's dtype kind. Only REAL (int, uint, float) arrays carry data. */
typedef enum { KIND_FLOAT, KIND_INT, KIND_UINT, KIND_BOOL, KIND_COMPLEX, KIND_STR, KIND_OBJECT, KIND_UNKNOWN } Kind;

#define MAX_NDIM 32

typedef struct {
    Kind kind;
    char dtype[32];           /* the name, for messages: "float32", "int64", "bool", "str", ... */
    int ndim;
    size_t shape[MAX_NDIM];
    size_t size;
    double *data;             /* size entries, row-major, converted to float64; REAL kinds only */
} Array;

void array_free(Array *a);
/* "(2, 3)", numpy's way of printing a shape, "(4,)" and "()" included. */
const char *shape_str(const size_t *shape, int ndim, char *buf, size_t n);

/* A real numeric array of any rank (ndim < 0) or of rank ndim, every entry finite. */
int arg_real_array(const char *name, const JValue *v, int ndim, Array *out, Err *e);
/* An (N, K) score matrix: K >= 2, and N >= 1 when need_rows. */
int arg_score_matrix(const char *name, const JValue *v, int need_rows, Array *out, Err *e);
/* A (K, D) weight matrix, K >= 2. */
int arg_weight_matrix(const char *name, const JValue *v, Array *out, Err *e);
/* n integer labels in [0, k); *labels is malloc'd (the caller frees it). */
int arg_labels(const char *name, const JValue *v, size_t n, size_t k, size_t **labels, Err *e);
/* A finite real scalar >= 0 (> 0 when strictly): a number, or a 0-d real array. */
int arg_nonnegative(const char *name, const JValue *v, int strictly, double *out, Err *e);
/* A boolean: JSON true/false or a 0-d bool array. */
int arg_bool(const char *name, const JValue *v, int *out, Err *e);
/* A function of the judge's, {"$function": handle}. */
int arg_function(const char *name, const JValue *v, long long *handle, Err *e);
/* Whether v is JSON null (an optional argument left out). */
int arg_is_none(const JValue *v);

/* What a call-back returned, as the value of a loss: a finite real number (a one-entry real array too). */
int result_scalar(const char *name, const JValue *v, double *out, Err *e);

/* The protocol's tag of an object ("$array", "$float", ...), or NULL when it is no tagged value. */
const char *value_tag(const JValue *v);

#endif
