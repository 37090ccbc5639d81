export function TaskDetail(_: { name: string }) {
  return null;
}
