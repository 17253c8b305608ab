/*
 * Native baseline for bench/bsm.bench.ts: Black-Scholes-Merton price + delta, gamma, vega, theta, rho over
 * struct-of-arrays inputs, the textbook formulas (Haug 2007, 1.1 and 2.1) with glibc's erfc, exp, log.
 * Built twice by the bench:
 *   gcc -O3 bsm_peer.c -lm                                   (scalar)
 *   gcc -O3 -march=native -ffast-math -fopenmp-simd ... -lm  (vectorised: glibc libmvec's exp, log and erfc;
 *                                                              on this AVX-512 machine 8 lanes, _ZGVeN8v_*)
 * Usage: bsm_peer N REPEATS [FILE] -> prints "ns_per_option checksum" for the best repeat (process CPU time).
 * FILE (optional): the N options as raw little-endian columns S, K, T, r, q, v (float64) and the call flags (uint8),
 * written by the bench (the real-shaped chain); without it, the built-in random workload. A small N is priced
 * repeatedly within a repeat (about a million options per repeat) so the clock's resolution does not matter.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the bench machine is shared */
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void bsm(int n, const double *S, const double *K, const double *T, const double *r, const double *q,
                const double *v, const unsigned char *call, double *price, double *delta, double *gamma,
                double *vega, double *theta, double *rho) {
  const double inv_sqrt2 = 0.70710678118654752440, inv_sqrt_2pi = 0.39894228040143267794;
#pragma omp simd
  for (int i = 0; i < n; i++) {
    double th = call[i] ? 1.0 : -1.0;
    double sq = sqrt(T[i]);
    double s = v[i] * sq;
    double df = exp(-r[i] * T[i]), a = exp(-q[i] * T[i]);
    double d1 = (log(S[i] / K[i]) + (r[i] - q[i]) * T[i]) / s + 0.5 * s;
    double d2 = d1 - s;
    double n1 = inv_sqrt_2pi * exp(-0.5 * d1 * d1);
    double c1 = 0.5 * erfc(-th * d1 * inv_sqrt2), c2 = 0.5 * erfc(-th * d2 * inv_sqrt2);
    price[i] = th * (S[i] * a * c1 - K[i] * df * c2);
    delta[i] = th * a * c1;
    gamma[i] = a * n1 / (S[i] * s);
    vega[i] = S[i] * a * n1 * sq;
    theta[i] = -S[i] * a * n1 * v[i] / (2 * sq) - th * r[i] * K[i] * df * c2 + th * q[i] * S[i] * a * c1;
    rho[i] = th * K[i] * T[i] * df * c2;
  }
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  int reps = argc > 2 ? atoi(argv[2]) : 5;
  const char *file = argc > 3 ? argv[3] : NULL;
  double *buf = malloc(sizeof(double) * 12 * (size_t)n);
  unsigned char *call = malloc((size_t)n);
  double *S = buf, *K = S + n, *T = K + n, *r = T + n, *q = r + n, *v = q + n;
  double *p = v + n, *de = p + n, *ga = de + n, *ve = ga + n, *th = ve + n, *rh = th + n;
  unsigned int seed = 12345;
  if (file != NULL) {
    FILE *f = fopen(file, "rb");
    if (f == NULL || fread(buf, sizeof(double), 6 * (size_t)n, f) != 6 * (size_t)n || fread(call, 1, (size_t)n, f) != (size_t)n) {
      fprintf(stderr, "cannot read %d options from %s\n", n, file);
      return 1;
    }
    fclose(f);
  }
  for (int i = 0; i < n && file == NULL; i++) {
    /* The same workload shape as the TS bench: spot 100, strikes 50..150, T 1w..2y, vol 10..60%. */
    seed = seed * 1103515245u + 12345u; double u1 = (seed >> 8) / 16777216.0;
    seed = seed * 1103515245u + 12345u; double u2 = (seed >> 8) / 16777216.0;
    seed = seed * 1103515245u + 12345u; double u3 = (seed >> 8) / 16777216.0;
    S[i] = 100; K[i] = 50 + 100 * u1; T[i] = 7.0 / 365 + 2 * u2; r[i] = 0.03; q[i] = 0.01; v[i] = 0.1 + 0.5 * u3;
    call[i] = i & 1;
  }
  int inner = n >= 1000000 ? 1 : 1000000 / n;
  double best = 1e300, check = 0;
  for (int k = 0; k < reps; k++) {
    double t0 = now_ns();
    for (int j = 0; j < inner; j++) bsm(n, S, K, T, r, q, v, call, p, de, ga, ve, th, rh);
    double t1 = now_ns();
    if (t1 - t0 < best) best = t1 - t0;
  }
  for (int i = 0; i < n; i += 997) check += p[i] + de[i];
  printf("%.3f %.6f\n", best / ((double)n * inner), check);
  return 0;
}
