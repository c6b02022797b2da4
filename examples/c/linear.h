/* The mathematics of lcspec's linear classifier, in float64, on validated inputs.
 *
 * Layouts are lcspec's (spec/00-conventions.md): X is (N, D) with one example per row, W is (K, D)
 * with one class per row, S = X W^T + b is (N, K), y holds N labels in [0, K). Every array is a
 * dense row-major block of doubles. Nothing here validates or allocates except where stated; the
 * callers (protocol.c, through args.c) have checked shapes, finiteness and labels already.
 *
 * Sums over a row (of probabilities, of hinge terms) and means over examples use numpy's pairwise
 * summation, so those results agree bit for bit with the reference; matrix products are plain
 * sequential dot products and agree with the reference's BLAS to within rounding.
 */
#ifndef LCSPEC_LINEAR_H
#define LCSPEC_LINEAR_H

#include <stddef.h>

/* numpy's pairwise sum of a[0], a[stride], ..., a[(n-1)*stride], starting from 0.0. */
double lin_sum(const double *a, size_t n, size_t stride);

/* S = X W^T (+ b when b is not NULL). Returns 0, or -1 when a score is not finite (overflow). */
int lin_scores(const double *X, size_t N, size_t D, const double *W, size_t K, const double *b, double *S);

/* Row-wise softmax and log-softmax with the max-shift, the shift's rounding error corrected. */
void lin_softmax(const double *S, size_t N, size_t K, double *P);
void lin_log_softmax(const double *S, size_t N, size_t K, double *L);

/* -log p_{i y_i}, one per example (N may be 0). */
void lin_cross_entropy_losses(const double *S, size_t N, size_t K, const size_t *y, double *out);
/* (P - Y) / N, N >= 1. */
void lin_cross_entropy_grad(const double *S, size_t N, size_t K, const size_t *y, double *G);

/* Weston-Watkins hinge loss per example; a margin of exactly 0 is met. */
void lin_hinge_losses(const double *S, size_t N, size_t K, const size_t *y, double delta, double *out);
/* Its gradient with respect to S of the mean loss, N >= 1; strict indicator (m > 0). */
void lin_hinge_grad(const double *S, size_t N, size_t K, const size_t *y, double delta, double *G);

/* sum W^2 (may overflow to inf; the caller decides). */
double lin_l2_penalty(const double *W, size_t n);
/* reg * sum W^2, scaled by max |W| so that it is finite whenever the product is; 0 when reg == 0. */
double lin_l2_regularization(const double *W, size_t n, double reg);

typedef enum { LIN_SVM, LIN_SOFTMAX } LinLoss;
enum { LIN_OK = 0, LIN_SCORES_OVERFLOW = 1, LIN_PENALTY_OVERFLOW = 2 };
/* Full loss: mean data loss over N >= 1 examples + reg * sum W^2, and dW = G^T X + 2 reg W (K, D).
 * delta is used by LIN_SVM only. Returns LIN_OK or one of the overflow codes. Allocates scratch. */
int lin_full_loss(LinLoss kind, const double *W, size_t K, size_t D, const double *X, size_t N,
                  const size_t *y, double reg, double delta, double *loss, double *dW);

/* out = W - learning_rate * dW over n entries. Returns 0, or -1 when an entry is not finite. */
int lin_sgd_step(const double *W, const double *dW, size_t n, double learning_rate, double *out);

/* Index of each row's highest score, the lowest index among ties. */
void lin_predict(const double *S, size_t N, size_t K, size_t *out);
/* Fraction of rows (N >= 1) whose prediction equals the label. */
double lin_accuracy(const double *S, size_t N, size_t K, const size_t *y);

/* A scalar function of a point of n doubles: stores f(point) in *value and returns 0, or returns
 * a nonzero status (an error the caller has recorded in ctx), which stops the gradient. */
typedef int (*lin_scalar_fn)(void *ctx, const double *point, double *value);
/* Finite differences, one coordinate at a time in row-major order: centered (f(x+h) - f(x-h))/(2h),
 * or one-sided (f(x+h) - f(x))/h with f(x) evaluated first. f always gets a fresh copy of the point.
 * Returns 0 or the first nonzero status of f. Allocates scratch. */
int lin_numerical_gradient(lin_scalar_fn f, void *ctx, const double *x, size_t n, double h, int centered, double *grad);

#endif
