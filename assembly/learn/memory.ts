// Typed loads and stores on raw addresses (struct-of-arrays columns in linear memory).

@inline export function ldf(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

@inline export function stf(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), v);
}

@inline export function ldi(ptr: usize, i: i32): i32 {
  return load<i32>(ptr + (<usize>i << 2));
}

@inline export function sti(ptr: usize, i: i32, v: i32): void {
  store<i32>(ptr + (<usize>i << 2), v);
}

@inline export function ldb(ptr: usize, i: i32): i32 {
  return <i32>load<u8>(ptr + <usize>i);
}

@inline export function stb(ptr: usize, i: i32, v: i32): void {
  store<u8>(ptr + <usize>i, <u8>v);
}

/** The address slot `slot` of an i32 pointer table holds. */
@inline export function slotPtr(table: usize, slot: i32): usize {
  return <usize>load<u32>(table + (<usize>slot << 2));
}

