/** What the server said when it refused an admin action (it names what to fix). */
export function AdminError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="admin-error" role="alert" data-testid="admin-error">
      {message}
    </p>
  );
}
