"""What each source declares about its notation: the context a chapter of that book would
give the reader (its names, functions, indices and index convention). One lexicon per
book (or per part of a book whose notation differs)."""
from __future__ import annotations

from derive.read import Lexicon, read_function_name, read_name


def lex(names="", functions="", indices=(), plain="power", parenthesised="sample"):
    """Names and functions separated by spaces; '~' stands for a space inside one
    (\\Delta~w is the name \\Delta w)."""
    def words(text, reader):
        # each spelled as the reader spells it (h_\theta is h_{\theta})
        return frozenset(reader(w.replace("~", " ")) for w in text.split())
    return Lexicon(names=words(names, read_name),
                   functions=words(functions, read_function_name),
                   indices=tuple(indices), plain=plain, parenthesised=parenthesised)


LEXICONS = {
    # Nielsen, Neural Networks and Deep Learning: z^l, a^l, w^l_{jk} (plain superscripts
    # are layers); C the cost; sums over training inputs x; y(x) the desired output
    "nielsen": lex(names="C C_0 C_x a z w b y x n m \\delta \\eta \\lambda \\sigma",
                   functions="\\sigma \\Sigma y a^{[L]}",
                   indices=[("j", "unit"), ("k", "unit"), ("l", "layer"), ("x", "sample")],
                   plain="layer"),
    # CS231n notes: f scores, L_i the loss of example i, W weights
    "cs231n": lex(names="L L_i W w x y f p N \\lambda \\Delta c a",
                  functions="f f_c f_a \\sigma",
                  indices=[("i", "sample"), ("j", "unit"), ("k", "unit"), ("l", "unit")]),
    # UFLDL tutorial: W^{(l)}_{ij} layers and x^{(i)} samples, both in parentheses
    "ufldl": lex(names="J W b x y a z \\delta \\lambda \\alpha \\theta \\psi m K",
                 functions="f h_{W,b} J P h_\\theta",
                 indices=[("l", "layer"), ("n_l", "layer"), ("i", "sample"), ("j", "unit"),
                          ("k", "class")],
                 parenthesised="index"),
    # deeplearning.ai course notebooks: A^{[l]}, dZ^{[l]}, samples ^{(i)}
    "dlai": lex(names="A Z W b dZ dW db dA Y X m \\alpha \\mathcal{L} \\mathcal{J}",
                functions="g \\sigma",
                indices=[("i", "sample"), ("l", "layer")]),
    # Dive into Deep Learning: bold vectors, l^{(i)} the loss of example i, prod
    "d2l": lex(names="J L l s \\mathbf{o} \\mathbf{h} \\mathbf{z} \\mathbf{W} \\mathbf{x} "
                     "\\mathbf{y} \\mathbf{w} \\mathbf{b} \\mathbf{X} \\mathbf{O} h o x y z w "
                     "b \\lambda \\eta \\xi T q m",
               functions="l f g \\ell P L \\phi",
               indices=[("i", "sample"), ("j", "unit"), ("k", "unit"), ("t", "time")],
               parenthesised="index"),           # W^{(1)} a layer, x^{(i)} a sample
    # Goodfellow et al. (the Chinese translation's LaTeX: the book's own macros \Vh, \MW)
    "goodfellow": lex(names="L o y",
                      functions="L p",
                      indices=[("t", "time"), ("i", "unit")]),
    # Bishop, PRML: E the error, n over data points, y_k outputs, t targets, phi features
    "bishop": lex(names="E E_n \\mathbf{w} w y t a z \\delta h I",
                  functions="E y y_k p \\sigma h",
                  indices=[("n", "sample"), ("j", "unit"), ("k", "unit"), ("i", "unit")],
                  parenthesised="layer"),
    # Bishop 4.106, where y_k is the value (written y_k(phi) as a function elsewhere):
    # a chapter declares one or the other
    "bishop_values": lex(names="E E_n y y_k t a z I \\delta",
                         functions="\\sigma",
                         indices=[("n", "sample"), ("j", "unit"), ("k", "unit"),
                                  ("i", "unit")]),
    # Rong, word2vec parameter learning explained: E the loss, W' the output weights
    "rong": lex(names="E u u' y t h w w' W' v EH EI EI' \\eta x",
                functions="p",
                indices=[("j", "unit"), ("i", "unit"), ("k", "unit"), ("c", "unit")]),
    # Ioffe & Szegedy, batch normalization: statistics of the mini-batch B
    "ioffe": lex(names="\\ell x y \\mu_{\\mathcal{B}} \\sigma_{\\mathcal{B}} \\hat{x} \\gamma "
                       "\\beta \\epsilon m",
                 indices=[("i", "sample"), ("k", "unit")]),
    # Geron, Hands-On ML: theta vectors, MSE, p-hat
    "geron": lex(names="\\mathbf{\\theta} \\theta \\mathbf{x} \\mathbf{X} y m \\eta \\alpha r "
                       "\\hat{p} J c C \\mathbf{w} b t",
                 functions="\\sigma h_{\\mathbf{\\theta}} J c s s_k",
                 indices=[("i", "sample"), ("j", "unit"), ("k", "class")]),
    # Raschka, Python Machine Learning, chapters 2-3 (Adaline, logistic regression)
    "raschka": lex(names="J w w_j x y z \\eta \\lambda \\Delta~w",
                   functions="\\phi J L l P",
                   indices=[("i", "sample"), ("j", "unit")]),
    # Raschka, chapter 12 (the multilayer perceptron): a^{(l)}, W^{(l)} layers
    "raschka_mlp": lex(names="J \\mathbf{W} \\mathbf{a} \\mathbf{y} a z \\delta",
                       functions="\\phi J",
                       indices=[("i", "sample"), ("j", "unit"), ("l", "layer")],
                       plain="layer", parenthesised="index"),
    # Zhou Zhihua, Machine Learning (the pumpkin book's derivations), 5.3 backprop:
    # y-hat_j^k for example k, E_k its error, beta_j, theta_j, gamma_h, l output units
    "zhou_bp": lex(names="E_k \\hat{y} y \\theta \\beta \\gamma \\alpha v w b x l q d "
                         "\\eta \\Delta~\\theta g",
                   functions="f",
                   indices=[("k", "sample"), ("j", "unit"), ("h", "unit"), ("i", "unit")],
                   plain="sample"),
    # Zhou, 3.3 logistic regression and the rest: l(beta) the log-likelihood
    "zhou": lex(names="E_k \\hat{y} y \\theta \\beta \\gamma \\alpha v w b x L \\eta "
                      "\\boldsymbol{w} \\boldsymbol{x} \\hat{w} \\mathbf{X} \\mathbf{y} "
                      "E_{\\hat{w}} \\Delta~\\boldsymbol{w} \\Delta~\\theta",
                functions="f L l P L_k p_1",
                indices=[("k", "sample"), ("j", "unit"), ("h", "unit"), ("i", "sample")],
                plain="sample"),
    # Ng's course, Chinese notes (fengdu78): dz^{[2]}, g^{[1]}
    "fengdu78": lex(names="dz dW db dZ A W Y J L z a x w b \\alpha m n",
                    functions="g g^{[1]} L J \\sigma",
                    indices=[("i", "sample"), ("l", "layer")]),
    # Li Hang, Statistical Learning Methods
    "lihang": lex(names="L w b x y M N \\eta P G \\delta \\alpha",
                  functions="L P f P_w",
                  indices=[("i", "sample"), ("k", "unit"), ("j", "sample")]),
    # Qiu Xipeng nndl (the companion practice book): R the risk, boldsymbol vectors
    "nndl": lex(names="\\mathcal{R} \\boldsymbol{w} \\boldsymbol{x} \\boldsymbol{X} "
                      "\\boldsymbol{y} \\boldsymbol{W} \\boldsymbol{b} \\hat{\\boldsymbol{y}} "
                      "\\hat{\\boldsymbol{Y}} y \\hat{y} b N x",
                functions="\\sigma p \\mathcal{R} \\operatorname{softmax}",
                indices=[("n", "sample"), ("k", "class"), ("i", "class"), ("c", "class")]),
}
