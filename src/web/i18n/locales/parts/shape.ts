/** The same keys as an English object, each holding any string: a translation's type. */
export type Shape<T> = { [K in keyof T]: T[K] extends string ? string : Shape<T[K]> }
