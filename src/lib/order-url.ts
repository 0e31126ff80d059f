/** Where people see an order: `<publicUrl>/orders/<id>` (the dashboard), for `log_url`, `details_url` and links. */
export function orderUrl(publicUrl: string, workOrderId: number): string {
  return `${publicUrl.replace(/\/+$/, '')}/orders/${workOrderId}`;
}
