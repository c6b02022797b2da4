"""A CS231n-layout file with one broken variant: everything is the bundled example's, except that
`svm_loss_vectorized` forgets to average the data part of its gradient. The suite must fail the
vectorized SVM and pass the rest, naive and vectorized being judged apart."""


from examples.cs231n_linear_classifier import softmax_loss_naive, softmax_loss_vectorized, svm_loss_naive  # noqa: F401
from examples.cs231n_linear_classifier import svm_loss_vectorized as _svm_loss_vectorized


def svm_loss_vectorized(W, X, y, reg):
    loss, dW = _svm_loss_vectorized(W, X, y, reg)
    return loss, (dW - 2.0 * reg * W) * X.shape[0] + 2.0 * reg * W  # the data part, N times too large
