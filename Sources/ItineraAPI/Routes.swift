import ItineraHTTP

/// The API's route table, top to bottom: method, path, who may call it, handler.
public enum Routes {
    public typealias Handler = @Sendable (RequestScope) throws -> Response

    public static func make(_ config: AppConfig) -> Router<AppContext> {
        var table = Table()
        table.add("GET", "/api/health", .everyone, HealthHandlers.health)
        table.add("GET", "/api/metrics", .everyone, HealthHandlers.metrics)
        table.add("GET", "/api/openapi.yaml", .everyone, APIDescriptionHandlers.openAPI)

        table.add("POST", "/api/auth/login", .everyone, AuthHandlers.login)
        table.add("POST", "/api/auth/logout", .signedIn, AuthHandlers.logout)
        table.add("GET", "/api/auth/me", .signedIn, AuthHandlers.me)
        table.add("POST", "/api/auth/team", .signedIn, AuthHandlers.switchTeam)
        table.add("GET", "/api/auth/tokens", .signedIn, TokenHandlers.list)
        table.add("POST", "/api/auth/tokens", .signedIn, TokenHandlers.create)
        table.add("DELETE", "/api/auth/tokens/{id}", .signedIn, TokenHandlers.revoke)

        table.add("POST", "/api/partner/verify", .partner(action: nil), PartnerHandlers.verify)

        let staff = Access.members(Role.staffSide)
        table.add("GET", "/api/bookings", staff, BookingHandlers.list)
        table.add("POST", "/api/bookings", staff, BookingHandlers.create)
        table.read("/api/bookings/{id}", Role.staffSide, BookingHandlers.getStaffRead)
        table.add("PATCH", "/api/bookings/{id}", staff, BookingHandlers.patch)
        table.add("POST", "/api/bookings/{id}/items", staff, BookingItemHandlers.add)
        table.add("PATCH", "/api/bookings/{id}/items/{itemId}", staff, BookingItemHandlers.update)
        table.add("DELETE", "/api/bookings/{id}/items/{itemId}", staff, BookingItemHandlers.remove)
        table.add("GET", "/api/bookings/{id}/events", staff, BookingHandlers.events)
        table.add("GET", "/api/bookings/{id}/history", staff, BookingHistoryHandlers.history)
        table.add("POST", "/api/bookings/{id}/assignments", staff, BookingHandlers.assign)
        table.add("DELETE", "/api/bookings/{id}/assignments/{assignmentId}", staff, BookingHandlers.unassign)
        table.add("POST", "/api/core/booking-lifecycle", staff, LifecycleHandlers.transition)
        table.add("GET", "/api/core/booking-lifecycle/rules", .signedIn, LifecycleHandlers.rules)
        table.add("GET", "/api/bookings/{id}/ground-services", staff, GroundServiceHandlers.list)
        table.add("POST", "/api/bookings/{id}/ground-services", staff, GroundServiceHandlers.create)
        table.add("PATCH", "/api/bookings/{id}/ground-services/{serviceId}", staff, GroundServiceHandlers.update)
        table.add("DELETE", "/api/bookings/{id}/ground-services/{serviceId}", staff, GroundServiceHandlers.delete)

        let payers = Access.members(Role.staffSide.union([.customer]))
        table.add("POST", "/api/payments/create-intent", payers, PaymentHandlers.createIntent)
        table.add("GET", "/api/payments/{id}", payers, PaymentHandlers.get)
        table.add("POST", "/api/payments/{id}/sandbox/complete", payers, PaymentHandlers.sandboxComplete)
        table.add("POST", "/api/payments/{id}/refunds", staff, RefundHandlers.create)
        table.add("POST", "/api/payments/webhook", .everyone, PaymentWebhookHandlers.receive)
        table.add("GET", "/api/bookings/{id}/payments", staff, PaymentHandlers.bookingPayments)
        table.add("POST", "/api/bookings/{id}/payments/offline", staff, OfflinePaymentHandlers.record)
        table.add("GET", "/api/customer/bookings/{id}/payments", .members([.customer]), PaymentHandlers.bookingPayments)

        table.add("GET", "/api/leads", staff, LeadHandlers.list)
        table.add("POST", "/api/leads", staff, LeadHandlers.create)
        table.add("GET", "/api/leads/{id}", staff, LeadHandlers.get)
        table.add("PATCH", "/api/leads/{id}", staff, LeadHandlers.update)
        table.add("GET", "/api/quotations", staff, QuotationHandlers.list)
        table.add("POST", "/api/quotations", staff, QuotationHandlers.create)
        table.add("GET", "/api/quotations/{id}", staff, QuotationHandlers.get)
        table.add("PATCH", "/api/quotations/{id}", staff, QuotationHandlers.update)
        table.add("POST", "/api/quotations/{id}/send", staff, QuotationHandlers.send)
        table.add("POST", "/api/quotations/{id}/approve", staff, QuotationHandlers.approve)
        table.add("POST", "/api/quotations/{id}/reject", staff, QuotationHandlers.reject)
        table.add("GET", "/api/trips", staff, TripHandlers.list)
        table.add("POST", "/api/trips", staff, TripHandlers.create)
        table.add("GET", "/api/trips/{id}", staff, TripHandlers.get)
        table.add("PATCH", "/api/trips/{id}", staff, TripHandlers.update)

        table.add("GET", "/api/customers", staff, DirectoryHandlers.listCustomers)
        table.add("POST", "/api/customers", staff, DirectoryHandlers.createCustomer)
        table.add("GET", "/api/customers/{id}", staff, DirectoryHandlers.getCustomer)
        table.add("PATCH", "/api/customers/{id}", staff, DirectoryEditHandlers.updateCustomer)
        table.add("DELETE", "/api/customers/{id}", staff, DirectoryEditHandlers.deleteCustomer)
        table.add("GET", "/api/suppliers", staff, DirectoryHandlers.listSuppliers)
        table.add("POST", "/api/suppliers", staff, DirectoryHandlers.createSupplier)
        table.add("GET", "/api/suppliers/{id}", staff, DirectoryEditHandlers.getSupplier)
        table.add("PATCH", "/api/suppliers/{id}", staff, DirectoryEditHandlers.updateSupplier)
        table.add("DELETE", "/api/suppliers/{id}", staff, DirectoryEditHandlers.deleteSupplier)
        table.add("GET", "/api/products", staff, DirectoryHandlers.listProducts)
        table.add("POST", "/api/products", staff, DirectoryHandlers.createProduct)
        table.add("GET", "/api/products/{id}", staff, DirectoryEditHandlers.getProduct)
        table.add("PATCH", "/api/products/{id}", staff, DirectoryEditHandlers.updateProduct)
        table.add("DELETE", "/api/products/{id}", staff, DirectoryEditHandlers.archiveProduct)
        table.add("GET", "/api/products/flights/search", staff, CatalogSearchHandlers.flights)
        table.add("GET", "/api/products/hotels/search", staff, CatalogSearchHandlers.hotels)
        table.add("GET", "/api/products/activities/search", staff, CatalogSearchHandlers.activities)

        table.add("GET", "/api/customer/bookings", .members([.customer]), CustomerPortalHandlers.list)
        table.add("POST", "/api/customer/bookings", .members([.customer]), ClientRequestHandlers.requestBooking)
        table.add(
            "PUT", "/api/customer/bookings/{id}/travelers-and-flights", .members([.customer]),
            TravelerHandlers.saveByClient)
        table.add("PUT", "/api/bookings/{id}/travelers-and-flights", staff, TravelerHandlers.saveByStaff)

        table.add("GET", "/api/supplier/bookings", .members([.supplier]), CustomerPortalHandlers.list)
        table.read("/api/supplier/bookings/{id}", [.supplier], BookingHandlers.getSupplierRead)
        table.add("POST", "/api/supplier/bookings/{id}/work", .members([.supplier]), DeliveredWorkHandlers.upload)
        table.add(
            "PATCH", "/api/supplier/bookings/{id}/items/{itemId}", .members([.supplier]), SupplierAnswerHandlers.answer)
        table.add("GET", "/api/documents/{id}/download", .signedIn, DeliveredWorkHandlers.download)

        table.add("GET", "/api/notifications", .signedIn, NotificationHandlers.list)
        table.add("GET", "/api/notifications/unread-count", .signedIn, NotificationHandlers.unreadCount)
        table.add("GET", "/api/notifications/stream", .listening(Set(Role.allCases)), NotificationHandlers.stream)
        table.add("POST", "/api/notifications/read-all", .signedIn, NotificationHandlers.readAll)
        table.add("PATCH", "/api/notifications/{id}/read", .signedIn, NotificationHandlers.markRead)
        table.add("PATCH", "/api/notifications/{id}/unread", .signedIn, NotificationHandlers.markUnread)
        table.add("DELETE", "/api/notifications/{id}", .signedIn, NotificationHandlers.delete)
        table.add(
            "POST", "/api/notifications/booking-updated-by-client", .partner(action: "booking_updated_by_client"),
            ClientRequestHandlers.partnerClientUpdate)
        table.read("/api/customer/bookings/{id}", [.customer], BookingHandlers.getCustomerRead)

        table.add("GET", "/api/admin/dashboard", staff, DashboardHandlers.dashboard)
        table.add("GET", "/api/admin/outbox", .members([.admin]), OutboxAdminHandlers.list)
        table.add("POST", "/api/admin/outbox/{id}/retry", .members([.admin]), OutboxAdminHandlers.retry)
        table.add("GET", "/api/admin/payment-webhooks", .members([.admin]), PaymentWebhookHandlers.list)

        if config.testRoutes {
            table.add("POST", "/api/_test/echo", .everyone, TestHandlers.echo)
            table.add("GET", "/api/_test/sleep", .everyone, TestHandlers.sleep)
        }
        return table.router
    }

    /// Paths that take file uploads (they get `ITINERA_MAX_UPLOAD_BYTES` instead of the body limit).
    @Sendable public static func isUploadPath(_ path: String) -> Bool {
        path.hasPrefix("/api/supplier/bookings/") && path.hasSuffix("/work")
    }

    /// Wraps each handler with the access check of its route.
    struct Table {
        var router = Router<AppContext>()

        /// A GET for members with one of `roles` that runs as one pipelined round trip.
        mutating func read(
            _ pattern: String, _ roles: Set<Role>, _ plan: @escaping @Sendable (Request) throws -> PipelinedRead
        ) {
            router.add("GET", pattern) { request, context in
                let read: PipelinedRead
                do {
                    read = try plan(request)
                } catch {
                    // A path the plan refuses (an id that is no id) answers as any route would: the
                    // caller's 401 or 403 first, the 404 only to a caller who may read such rows.
                    _ = try Authenticator.authorize(request, .members(roles), context)
                    throw error
                }
                return try Authenticator.run(read, request, roles: roles, context)
            }
        }

        mutating func add(_ method: String, _ pattern: String, _ access: Access, _ handler: @escaping Handler) {
            router.add(method, pattern) { request, context in
                let principal = try Authenticator.authorize(request, access, context)
                return try handler(RequestScope(request: request, context: context, principal: principal))
            }
        }
    }
}
