#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Reference figures for tests/unit/stats.c, computed without GSL:
# Independent reference: python3 statistics + mpmath (regularized incomplete beta).
import statistics as st, mpmath as mp
mp.mp.dps = 30
def tcdf_Q(t, df):  # upper tail P(T > t), t >= 0
    x = df / (df + t*t)
    return mp.betainc(df/2, mp.mpf(1)/2, 0, x, regularized=True) / 2
def tinv_Q(q, df):
    return mp.findroot(lambda t: tcdf_Q(t, df) - q, 2)
def summ(x):
    m = st.mean(x); s = st.stdev(x); n=len(x)
    h = tinv_Q(mp.mpf('0.025'), n-1) * s / mp.sqrt(n)
    return m, s, 100*s/abs(m) if m else None, m-h, m+h
def welch(a, b):
    ma, mb = st.mean(a), st.mean(b); va = st.variance(a)/len(a); vb = st.variance(b)/len(b)
    t = (mb-ma)/mp.sqrt(va+vb); df = (va+vb)**2/(va**2/(len(a)-1)+vb**2/(len(b)-1))
    p = 2*tcdf_Q(abs(t), df); h = tinv_Q(mp.mpf('0.025'), df)*mp.sqrt(va+vb)
    return t, df, p, mb-ma-h, mb-ma+h
g1=[0.7,-1.6,-0.2,-1.2,-0.1,3.4,3.7,0.8,0.0,2.0]
g2=[1.9,0.8,1.1,0.1,-0.1,4.4,5.5,1.6,4.6,3.4]
print("g1", [mp.nstr(v, 12) for v in summ(g1)])
print("sleep welch g2 vs g1", [mp.nstr(v, 12) for v in welch(g1,g2)])
a=[100.0,102.0,98.0,101.0,99.0]
b=[104.0,106.5,103.0,105.0,104.5,105.5,103.5]
print("a", [mp.nstr(v, 12) for v in summ(a)])
print("b", [mp.nstr(v, 12) for v in summ(b)])
print("welch b vs a", [mp.nstr(v, 12) for v in welch(a,b)])
print("tinv 0.025 df9", mp.nstr(tinv_Q(mp.mpf('0.025'),9),12))
