// The coefficient polynomials of the normalised Black function's small-t Taylor series (normalised-black.ts,
// region 2): exact rationals (from Y' = 1 + hY, differentiated n times) rounded to doubles. With w = h^2:
//   Y(h+t) - Y(h-t) = 2t sum_{n>=0} t^{2n} (c_n(w) + d_n(w) a),  a = Y'(h) = 1 + h Y(h),  c_0 = 0, d_0 = 1.
// One table each, polynomial n at TAYLOR_LOW_n (c_n: degree n - 1) or TAYLOR_FULL_n (d_n: degree n).
// StaticArrays: read by the scalar series and, on f64x2 lanes, by the WebAssembly BSM batch (assembly/bsm/), so
// the two evaluate the same numbers.

/** c_n(w), n = 1..7 (degree n - 1): coefficients from the constant term up, one polynomial after another. */
export const TAYLOR_ODD_C: StaticArray<f64> = [
  -0.16666666666666666,
  -0.058333333333333334, -0.008333333333333333,
  -0.01130952380952381, -0.0035714285714285713, -0.0001984126984126984,
  -0.0015459656084656085, -0.0007853835978835978, -9.093915343915344e-05, -2.7557319223985893e-06,
  -0.00016421657046657045, -0.00011724386724386724, -2.1043771043771045e-05, -1.3027096360429694e-06, -2.505210838544172e-08,
  -1.4301381488881489e-05, -1.3304114866614867e-05, -3.2712272295605627e-06, -3.092971842971843e-07, -1.204428287761621e-08, -1.6059043836821613e-10,
  -1.0567653796820463e-06, -1.2203267411600745e-06, -3.837308524808525e-07, -4.914067414067414e-08, -2.9020986362256202e-09, -7.800107006456213e-11, -7.647163731819816e-13,
];
/** d_n(w), n = 1..7 (degree n): coefficients from the constant term up, one polynomial after another. */
export const TAYLOR_ODD_D: StaticArray<f64> = [
  0.5, 0.16666666666666666,
  0.125, 0.08333333333333333, 0.008333333333333333,
  0.020833333333333332, 0.020833333333333332, 0.004166666666666667, 0.0001984126984126984,
  0.0026041666666666665, 0.003472222222222222, 0.0010416666666666667, 9.92063492063492e-05, 2.7557319223985893e-06,
  0.00026041666666666666, 0.00043402777777777775, 0.00017361111111111112, 2.48015873015873e-05, 1.3778659611992946e-06, 2.505210838544172e-08,
  2.170138888888889e-05, 4.340277777777778e-05, 2.170138888888889e-05, 4.133597883597884e-06, 3.4446649029982366e-07, 1.252605419272086e-08, 1.6059043836821613e-10,
  1.5500992063492063e-06, 3.6168981481481483e-06, 2.170138888888889e-06, 5.166997354497355e-07, 5.7411081716637274e-08, 3.131513548180215e-09, 8.029521918410807e-11, 7.647163731819816e-13,
];
/** Where c_n starts (n = 1..7). */
export const TAYLOR_LOW_1: i32 = 0;
export const TAYLOR_LOW_2: i32 = 1;
export const TAYLOR_LOW_3: i32 = 3;
export const TAYLOR_LOW_4: i32 = 6;
export const TAYLOR_LOW_5: i32 = 10;
export const TAYLOR_LOW_6: i32 = 15;
export const TAYLOR_LOW_7: i32 = 21;
/** Where d_n starts (n = 1..7). */
export const TAYLOR_FULL_1: i32 = 0;
export const TAYLOR_FULL_2: i32 = 2;
export const TAYLOR_FULL_3: i32 = 5;
export const TAYLOR_FULL_4: i32 = 9;
export const TAYLOR_FULL_5: i32 = 14;
export const TAYLOR_FULL_6: i32 = 20;
export const TAYLOR_FULL_7: i32 = 27;
