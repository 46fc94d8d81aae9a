fn expansion() {
    let _ = {
        static __SITE: ::foal::__private::Site = ::foal::__private::Site::new(
            "Product.filter(| p | ids.contains(&p.id)).order_by(| p | desc(p.price)).limit(10)",
        );
        let __h0 = &(ids);
        let __q0 = ::foal::__private::Query::new(
            &__SITE,
            [
                ::foal::__private::Value::List(
                    ::foal::__private::methods::HostList::values(__h0),
                ),
            ],
            |__b: &::foal::__private::Builder| {
                let __v1 = __b.source::<Product>("p");
                ::foal::__private::filter(
                    __b,
                    ::foal::__private::methods::in_list(
                        ::foal::__private::list(__b, 0u16, __h0),
                        ::foal::__private::field(__b, &__v1, |__f| &__f.id),
                    ),
                );
                __b.order(
                    ::foal::functions::desc(
                        ::foal::__private::field(__b, &__v1, |__f| &__f.price),
                    ),
                );
                ::foal::__private::limit(__b, ::foal::__private::lit(10));
                __v1
            },
        );
        __q0
    };
}
