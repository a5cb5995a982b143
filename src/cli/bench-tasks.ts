// The seeds' CPU-bound workloads, as `weft bench` runs them (in the main
// thread, and as tasks in worker threads and child processes).

/** seeds/000 #4: the greatest common divisor, by counting down from the smaller number. */
export function gcd(a: number, b: number): number {
  const low = Math.min(a, b);
  for (let i = low; i > 0; i--) if (a % i === 0 && b % i === 0) return i;
  return 1;
}

/** seeds/003 gen_prime.py: is `n` prime, by trial division up to its square root. */
export function isPrime(n: number): boolean {
  const limit = Math.floor(n ** 0.5) + 1;
  for (let i = 2; i < limit; i++) if (n % i === 0) return false;
  return true;
}

/** seeds/003 gen_prime.py: finds the first `num` primes; returns the last one. */
export function genPrime(num: number): number {
  let i = 2;
  let last = 0;
  while (num > 0) {
    if (isPrime(i)) {
      num--;
      last = i;
    }
    i++;
  }
  return last;
}

/** gen_prime's work split into ranges: how many of `from..to-1` are prime. */
export function countPrimes(from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (isPrime(i)) n++;
  return n;
}
