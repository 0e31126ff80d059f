/** The data directory value that keeps PGlite in memory (tests). */
export const IN_MEMORY = 'memory://';
