// Work that must not delay the form's first showing (loading the phone rules, checking the slots,
// building Intl formatters): done in the first task after the next frame has been painted.
// requestAnimationFrame runs just before that paint, and a task it queues runs just after it.

/** Runs `work` once the next frame has been painted; returns a function that cancels it. */
export function afterPaint(work: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(work);
  });
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}
