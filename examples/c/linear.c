/* The mathematics of lcspec's linear classifier; see linear.h for layouts and conventions. */
#include "linear.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("lcspec_c: out of memory\n", stderr);
        exit(3);
    }
    return p;
}

#define PW_BLOCKSIZE 128

/* numpy's pairwise_sum (umath/loops_utils.h.src): sequential below 8 terms, eight running sums up
 * to 128, halving above; np.sum starts from 0.0 (tested against numpy 2.4 on 3000 random arrays). */
double lin_sum(const double *a, size_t n, size_t stride)
{
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += a[i * stride];
        return res;
    }
    if (n <= PW_BLOCKSIZE) {
        double r[8], res;
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[(size_t)j * stride];
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[(i + (size_t)j) * stride];
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i * stride];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return lin_sum(a, n2, stride) + lin_sum(a + n2 * stride, n - n2, stride);
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

int lin_scores(const double *X, size_t N, size_t D, const double *W, size_t K, const double *b, double *S)
{
    int finite = 1;
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < K; k++) {
            double s = dot(X + i * D, W + k * D, D);
            if (b)
                s += b[k];
            S[i * K + k] = s;
            finite &= isfinite(s) != 0;
        }
    return finite ? 0 : -1;
}

/* ---------------------------------------------------------------- softmax */

static size_t row_argmax(const double *s, size_t K)
{
    size_t top = 0;
    for (size_t j = 1; j < K; j++)
        if (s[j] > s[top]) /* strict: the first of equal maxima stays */
            top = j;
    return top;
}

/* One row of the shift: z_j = s_j - max (rounded), zerr_j its exact rounding error by Knuth's
 * TwoSum (0 where it cannot be had: z_j = -inf, whose exp is exactly 0), e_j = exp(z_j)(1 + zerr_j)
 * for j != top and e_top = 0. Returns the pairwise sum of the e_j (the terms besides the top's 1). */
static double shifted_row(const double *s, size_t K, double *z, double *zerr, double *e, size_t *top_out)
{
    size_t top = row_argmax(s, K);
    double peak = s[top];
    for (size_t j = 0; j < K; j++) {
        double zj = s[j] - peak;
        double back = zj + peak;
        double err = s[j] - back;
        back -= zj;
        back -= peak;
        err += back;
        if (!isfinite(err))
            err = 0.0;
        z[j] = zj;
        zerr[j] = err;
        double ej = exp(zj);
        ej += ej * err; /* e^(z + err) = e^z (1 + err) to within err^2 */
        e[j] = ej;
    }
    e[top] = 0.0;
    *top_out = top;
    return lin_sum(e, K, 1);
}

void lin_softmax(const double *S, size_t N, size_t K, double *P)
{
    double *z = xmalloc(2 * K * sizeof *z), *zerr = z + K;
    for (size_t i = 0; i < N; i++) {
        double *p = P + i * K;
        size_t top;
        double rest = shifted_row(S + i * K, K, z, zerr, p, &top);
        double total = 1.0 + rest;
        p[top] = 1.0;
        for (size_t j = 0; j < K; j++)
            p[j] = p[j] / total;
    }
    free(z);
}

void lin_log_softmax(const double *S, size_t N, size_t K, double *L)
{
    double *z = xmalloc(3 * K * sizeof *z), *zerr = z + K, *e = z + 2 * K;
    for (size_t i = 0; i < N; i++) {
        size_t top;
        double lse = log1p(shifted_row(S + i * K, K, z, zerr, e, &top));
        for (size_t j = 0; j < K; j++)
            L[i * K + j] = (z[j] - lse) + zerr[j];
    }
    free(z);
}

void lin_cross_entropy_losses(const double *S, size_t N, size_t K, const size_t *y, double *out)
{
    double *L = xmalloc(K * sizeof *L);
    for (size_t i = 0; i < N; i++) {
        lin_log_softmax(S + i * K, 1, K, L);
        out[i] = -L[y[i]];
    }
    free(L);
}

void lin_cross_entropy_grad(const double *S, size_t N, size_t K, const size_t *y, double *G)
{
    lin_softmax(S, N, K, G);
    for (size_t i = 0; i < N; i++)
        G[i * K + y[i]] -= 1.0;
    for (size_t i = 0; i < N * K; i++)
        G[i] = G[i] / (double)N;
}

/* ---------------------------------------------------------------- hinge */

/* One row's margins m_j = (s_j - s_y) + delta, with the correct class's own entry 0 (no competitor).
 * Only a margin beyond the float64 range overflows, to inf, which is then its nearest value. */
static void margins_row(const double *s, size_t K, size_t yi, double delta, double *m)
{
    for (size_t j = 0; j < K; j++)
        m[j] = (s[j] - s[yi]) + delta;
    m[yi] = 0.0;
}

void lin_hinge_losses(const double *S, size_t N, size_t K, const size_t *y, double delta, double *out)
{
    double *m = xmalloc(K * sizeof *m);
    for (size_t i = 0; i < N; i++) {
        margins_row(S + i * K, K, y[i], delta, m);
        for (size_t j = 0; j < K; j++)
            m[j] = m[j] > 0.0 ? m[j] : 0.0; /* a met margin (m <= 0, m == 0 included) adds exactly 0 */
        out[i] = lin_sum(m, K, 1);
    }
    free(m);
}

void lin_hinge_grad(const double *S, size_t N, size_t K, const size_t *y, double delta, double *G)
{
    double *m = xmalloc(K * sizeof *m);
    for (size_t i = 0; i < N; i++) {
        double *g = G + i * K;
        double active = 0.0;
        margins_row(S + i * K, K, y[i], delta, m);
        for (size_t j = 0; j < K; j++) {
            g[j] = m[j] > 0.0 ? 1.0 : 0.0; /* strict: the kink m == 0 takes the subgradient 0 */
            active += g[j];
        }
        g[y[i]] = -active;
        for (size_t j = 0; j < K; j++)
            g[j] = g[j] / (double)N;
    }
    free(m);
}

/* ---------------------------------------------------------------- regularisation and full losses */

double lin_l2_penalty(const double *W, size_t n)
{
    return dot(W, W, n);
}

double lin_l2_regularization(const double *W, size_t n, double reg)
{
    double largest = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(W[i]) > largest)
            largest = fabs(W[i]);
    if (reg == 0.0 || largest == 0.0)
        return 0.0;
    double unit_sq = 0.0;
    for (size_t i = 0; i < n; i++) {
        double u = W[i] / largest; /* |u| <= 1: the sum of squares stays near 1, however large W is */
        unit_sq += u * u;
    }
    return pow(sqrt(reg) * largest, 2.0) * unit_sq;
}

int lin_full_loss(LinLoss kind, const double *W, size_t K, size_t D, const double *X, size_t N,
                  const size_t *y, double reg, double delta, double *loss, double *dW)
{
    double *S = xmalloc(N * K * sizeof *S), *G = xmalloc(N * K * sizeof *G), *per = xmalloc(N * sizeof *per);
    int status = LIN_OK;
    if (lin_scores(X, N, D, W, K, NULL, S) != 0) {
        status = LIN_SCORES_OVERFLOW;
        goto done;
    }
    if (kind == LIN_SVM) {
        lin_hinge_losses(S, N, K, y, delta, per);
        lin_hinge_grad(S, N, K, y, delta, G);
    } else {
        lin_cross_entropy_losses(S, N, K, y, per);
        lin_cross_entropy_grad(S, N, K, y, G);
    }
    double penalty = lin_l2_regularization(W, K * D, reg);
    if (!isfinite(penalty)) {
        status = LIN_PENALTY_OVERFLOW;
        goto done;
    }
    *loss = lin_sum(per, N, 1) / (double)N + penalty;
    /* dW = G^T X, each entry summed over i in order, row by row of X to stay in cache; then + 2 reg W */
    memset(dW, 0, K * D * sizeof *dW);
    for (size_t i = 0; i < N; i++)
        for (size_t k = 0; k < K; k++) {
            double g = G[i * K + k];
            const double *x = X + i * D;
            double *row = dW + k * D;
            for (size_t d = 0; d < D; d++)
                row[d] += g * x[d];
        }
    for (size_t j = 0; j < K * D; j++)
        dW[j] = dW[j] + (2.0 * reg) * W[j];
done:
    free(S);
    free(G);
    free(per);
    return status;
}

int lin_sgd_step(const double *W, const double *dW, size_t n, double learning_rate, double *out)
{
    int finite = 1;
    for (size_t i = 0; i < n; i++) {
        out[i] = W[i] - learning_rate * dW[i];
        finite &= isfinite(out[i]) != 0;
    }
    return finite ? 0 : -1;
}

void lin_predict(const double *S, size_t N, size_t K, size_t *out)
{
    for (size_t i = 0; i < N; i++)
        out[i] = row_argmax(S + i * K, K);
}

double lin_accuracy(const double *S, size_t N, size_t K, const size_t *y)
{
    size_t hits = 0;
    for (size_t i = 0; i < N; i++)
        hits += row_argmax(S + i * K, K) == y[i];
    return (double)hits / (double)N;
}

/* ---------------------------------------------------------------- finite differences */

int lin_numerical_gradient(lin_scalar_fn f, void *ctx, const double *x, size_t n, double h, int centered, double *grad)
{
    double *point = xmalloc(n * sizeof *point), *fresh = xmalloc(n * sizeof *fresh);
    double base = 0.0, f_plus, f_minus;
    int status = 0;
    memcpy(point, x, n * sizeof *point);
#define EVAL(dst)                                          \
    do {                                                   \
        memcpy(fresh, point, n * sizeof *fresh);           \
        if ((status = f(ctx, fresh, &(dst))) != 0)         \
            goto done;                                     \
    } while (0)
    if (!centered)
        EVAL(base);
    for (size_t i = 0; i < n; i++) {
        double old = point[i];
        point[i] = old + h;
        EVAL(f_plus);
        if (centered) {
            point[i] = old - h;
            EVAL(f_minus);
            grad[i] = (f_plus - f_minus) / (2.0 * h);
        } else {
            grad[i] = (f_plus - base) / h;
        }
        point[i] = old;
    }
#undef EVAL
done:
    free(point);
    free(fresh);
    return status;
}
