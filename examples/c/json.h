/* A minimal JSON reader and writer: enough for lcspec-protocol/1 (one JSON value per line).
 *
 * Numbers keep their kind: a number written with a fraction or an exponent is a float (J_FLOAT),
 * one without is an integer (J_INT), as the protocol's value rules say. Every number's double is
 * parsed with strtod, which rounds to the nearest double. Strings are decoded to UTF-8 (\u escapes
 * and surrogate pairs included) and may contain NUL, so each carries its length.
 */
#ifndef LCSPEC_JSON_H
#define LCSPEC_JSON_H

#include <stddef.h>

typedef enum { J_NULL, J_BOOL, J_INT, J_FLOAT, J_STRING, J_ARRAY, J_OBJECT } JType;

typedef struct JValue {
    JType type;
    int boolean;              /* J_BOOL */
    double number;            /* J_INT and J_FLOAT: the nearest double */
    int int_fits;             /* J_INT: 1 when the integer fits in a long long */
    long long integer;        /* J_INT, when int_fits */
    char *str;                /* J_STRING: NUL-terminated UTF-8 (may also contain NUL) */
    size_t len;               /* J_STRING: bytes; J_ARRAY, J_OBJECT: number of items */
    struct JValue *items;     /* J_ARRAY: elements; J_OBJECT: member values */
    char **keys;              /* J_OBJECT: member names, parallel to items */
} JValue;

/* Parses exactly one JSON value spanning text[0..n) (surrounding whitespace allowed).
 * Returns 0 on success; otherwise -1 with a description in err (size errlen). */
int json_parse(const char *text, size_t n, JValue *out, char *err, size_t errlen);
void json_free(JValue *v);

/* The member `key` of an object, or NULL (also when v is not an object). */
const JValue *json_get(const JValue *v, const char *key);

/* A growable output buffer for one message. Allocation failure aborts the program. */
typedef struct {
    char *data;
    size_t len, cap;
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_put(Buf *b, const char *s);
void buf_putn(Buf *b, const char *s, size_t n);
void buf_putc(Buf *b, char c);
void buf_string(Buf *b, const char *s, size_t n);   /* a JSON string literal, escaped */
void buf_int(Buf *b, long long v);
/* The shortest of %.15g, %.16g, %.17g that reads back as the same double, always with a '.' or an
 * exponent so that it decodes as a float; -0.0 for negative zero. Finite values only. */
void buf_finite(Buf *b, double x);
/* A float as a protocol scalar: buf_finite, or {"$float": "inf"|"-inf"|"nan"}. */
void buf_float(Buf *b, double x);
/* A float as an $array data entry: buf_finite, or the strings "inf", "-inf", "nan". */
void buf_float_entry(Buf *b, double x);

#endif
