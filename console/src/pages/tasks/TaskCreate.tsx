export function TaskCreate() {
  return null;
}
