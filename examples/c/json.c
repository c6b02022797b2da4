/* A minimal JSON reader and writer for lcspec-protocol/1; see json.h. */
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512 /* deeper nesting is refused rather than risking the C stack */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("lcspec_c: out of memory\n", stderr);
        exit(3);
    }
    return q;
}

/* ---------------------------------------------------------------- reader */

typedef struct {
    const char *start, *p, *end;
    char *err;
    size_t errlen;
    int depth;
} Parser;

static int fail(Parser *ps, const char *fmt, ...)
{
    if (ps->err && ps->errlen && !ps->err[0]) {
        char what[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        snprintf(ps->err, ps->errlen, "%s at byte %ld", what, (long)(ps->p - ps->start));
    }
    return -1;
}

static void skip_ws(Parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int parse_value(Parser *ps, JValue *out);

static int literal(Parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "invalid literal");
    ps->p += n;
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(Parser *ps, JValue *out)
{
    const char *s = ps->p;
    int is_float = 0;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (ps->p >= ps->end || !is_digit(*ps->p))
        return fail(ps, "invalid number");
    if (*ps->p == '0')
        ps->p++;
    else
        while (ps->p < ps->end && is_digit(*ps->p))
            ps->p++;
    if (ps->p < ps->end && *ps->p == '.') {
        is_float = 1;
        ps->p++;
        if (ps->p >= ps->end || !is_digit(*ps->p))
            return fail(ps, "invalid number (no digit after '.')");
        while (ps->p < ps->end && is_digit(*ps->p))
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        is_float = 1;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (ps->p >= ps->end || !is_digit(*ps->p))
            return fail(ps, "invalid number (no digit in the exponent)");
        while (ps->p < ps->end && is_digit(*ps->p))
            ps->p++;
    }
    size_t n = (size_t)(ps->p - s);
    char small[64];
    char *copy = n < sizeof small ? small : xrealloc(NULL, n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    out->type = is_float ? J_FLOAT : J_INT;
    out->number = strtod(copy, NULL); /* correctly rounded; +-inf beyond the range, which is its nearest */
    if (!is_float) {
        errno = 0;
        out->integer = strtoll(copy, NULL, 10);
        out->int_fits = errno != ERANGE;
    }
    if (copy != small)
        free(copy);
    return 0;
}

static int hex4(Parser *ps, unsigned *cp)
{
    unsigned v = 0;
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail(ps, "invalid \\u escape");
    }
    *cp = v;
    return 0;
}

static void put_utf8(Buf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
        return;
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        buf_putn(b, u, 2);
    } else if (cp < 0x10000) { /* lone surrogates too, as Python's json accepts them */
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        buf_putn(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        buf_putn(b, u, 4);
    }
}

/* Parses a string literal at ps->p (which is at the opening quote) into a fresh buffer. */
static int parse_string_raw(Parser *ps, char **str, size_t *len)
{
    Buf b;
    buf_init(&b);
    ps->p++; /* the opening quote */
    for (;;) {
        if (ps->p >= ps->end) {
            buf_free(&b);
            return fail(ps, "unterminated string");
        }
        unsigned char c = (unsigned char)*ps->p++;
        if (c == '"')
            break;
        if (c < 0x20) {
            buf_free(&b);
            return fail(ps, "control character in a string");
        }
        if (c != '\\') {
            buf_putc(&b, (char)c);
            continue;
        }
        if (ps->p >= ps->end) {
            buf_free(&b);
            return fail(ps, "unterminated escape");
        }
        char e = *ps->p++;
        switch (e) {
        case '"': buf_putc(&b, '"'); break;
        case '\\': buf_putc(&b, '\\'); break;
        case '/': buf_putc(&b, '/'); break;
        case 'b': buf_putc(&b, '\b'); break;
        case 'f': buf_putc(&b, '\f'); break;
        case 'n': buf_putc(&b, '\n'); break;
        case 'r': buf_putc(&b, '\r'); break;
        case 't': buf_putc(&b, '\t'); break;
        case 'u': {
            unsigned cp, lo;
            if (hex4(ps, &cp) != 0) {
                buf_free(&b);
                return -1;
            }
            if (cp >= 0xD800 && cp < 0xDC00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                const char *save = ps->p;
                ps->p += 2;
                if (hex4(ps, &lo) != 0) {
                    buf_free(&b);
                    return -1;
                }
                if (lo >= 0xDC00 && lo < 0xE000)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    ps->p = save; /* a lone high surrogate; the next escape stands alone */
            }
            put_utf8(&b, cp);
            break;
        }
        default:
            buf_free(&b);
            return fail(ps, "invalid escape \\%c", e);
        }
    }
    buf_putc(&b, '\0');
    *len = b.len - 1;
    *str = b.data;
    return 0;
}

static int parse_array(Parser *ps, JValue *out)
{
    size_t cap = 0;
    out->type = J_ARRAY;
    out->len = 0;
    out->items = NULL;
    ps->p++; /* [ */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (out->len == cap) {
            cap = cap ? 2 * cap : 8;
            out->items = xrealloc(out->items, cap * sizeof *out->items);
        }
        JValue *item = &out->items[out->len];
        memset(item, 0, sizeof *item);
        out->len++; /* counted first so that json_free releases a partly parsed item */
        if (parse_value(ps, item) != 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return 0;
        }
        return fail(ps, "expected ',' or ']' in a list");
    }
}

static int parse_object(Parser *ps, JValue *out)
{
    size_t cap = 0;
    out->type = J_OBJECT;
    out->len = 0;
    out->items = NULL;
    out->keys = NULL;
    ps->p++; /* { */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (out->len == cap) {
            cap = cap ? 2 * cap : 4;
            out->items = xrealloc(out->items, cap * sizeof *out->items);
            out->keys = xrealloc(out->keys, cap * sizeof *out->keys);
        }
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"')
            return fail(ps, "expected a member name");
        size_t klen;
        if (parse_string_raw(ps, &out->keys[out->len], &klen) != 0)
            return -1;
        memset(&out->items[out->len], 0, sizeof out->items[out->len]);
        out->len++; /* counted now so that json_free releases the key on a later failure */
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':')
            return fail(ps, "expected ':' after a member name");
        ps->p++;
        if (parse_value(ps, &out->items[out->len - 1]) != 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return 0;
        }
        return fail(ps, "expected ',' or '}' in an object");
    }
}

static int parse_value(Parser *ps, JValue *out)
{
    memset(out, 0, sizeof *out);
    out->type = J_NULL;
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of input");
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "nesting deeper than %d", MAX_DEPTH);
    int rc;
    switch (*ps->p) {
    case '{': rc = parse_object(ps, out); break;
    case '[': rc = parse_array(ps, out); break;
    case '"':
        out->type = J_STRING;
        rc = parse_string_raw(ps, &out->str, &out->len);
        break;
    case 't': out->type = J_BOOL; out->boolean = 1; rc = literal(ps, "true"); break;
    case 'f': out->type = J_BOOL; out->boolean = 0; rc = literal(ps, "false"); break;
    case 'n': rc = literal(ps, "null"); break;
    default:
        if (*ps->p == '-' || is_digit(*ps->p))
            rc = parse_number(ps, out);
        else
            rc = fail(ps, "unexpected character '%c'", *ps->p);
    }
    ps->depth--;
    return rc;
}

int json_parse(const char *text, size_t n, JValue *out, char *err, size_t errlen)
{
    Parser ps = {text, text, text + n, err, errlen, 0};
    if (err && errlen)
        err[0] = '\0';
    if (parse_value(&ps, out) != 0) {
        json_free(out);
        return -1;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        fail(&ps, "trailing characters after the value");
        json_free(out);
        return -1;
    }
    return 0;
}

void json_free(JValue *v)
{
    if (!v)
        return;
    if (v->type == J_STRING)
        free(v->str);
    if (v->type == J_ARRAY || v->type == J_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            json_free(&v->items[i]);
            if (v->type == J_OBJECT)
                free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
    }
    memset(v, 0, sizeof *v);
}

const JValue *json_get(const JValue *v, const char *key)
{
    if (!v || v->type != J_OBJECT)
        return NULL;
    for (size_t i = v->len; i-- > 0;) /* the last of duplicate names wins, as in Python's json */
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}

/* ---------------------------------------------------------------- writer */

void buf_init(Buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_free(Buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_putn(Buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_put(Buf *b, const char *s) { buf_putn(b, s, strlen(s)); }

void buf_putc(Buf *b, char c) { buf_putn(b, &c, 1); }

void buf_string(Buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        switch (c) {
        case '"': buf_put(b, "\\\""); break;
        case '\\': buf_put(b, "\\\\"); break;
        case '\n': buf_put(b, "\\n"); break;
        case '\r': buf_put(b, "\\r"); break;
        case '\t': buf_put(b, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7F) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                buf_put(b, esc);
            } else {
                buf_putc(b, (char)c);
            }
        }
    }
    buf_putc(b, '"');
}

void buf_int(Buf *b, long long v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", v);
    buf_put(b, tmp);
}

void buf_finite(Buf *b, double x)
{
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (strtod(tmp, NULL) == x) /* 17 digits always round-trip */
            break;
    }
    buf_put(b, tmp);
    if (!strpbrk(tmp, ".e")) /* "-0" becomes "-0.0", "100" becomes "100.0": read back as floats */
        buf_put(b, ".0");
}

void buf_float(Buf *b, double x)
{
    if (x != x)
        buf_put(b, "{\"$float\": \"nan\"}");
    else if (x > 1.7976931348623157e308)
        buf_put(b, "{\"$float\": \"inf\"}");
    else if (x < -1.7976931348623157e308)
        buf_put(b, "{\"$float\": \"-inf\"}");
    else
        buf_finite(b, x);
}

void buf_float_entry(Buf *b, double x)
{
    if (x != x)
        buf_put(b, "\"nan\"");
    else if (x > 1.7976931348623157e308)
        buf_put(b, "\"inf\"");
    else if (x < -1.7976931348623157e308)
        buf_put(b, "\"-inf\"");
    else
        buf_finite(b, x);
}
