fn expansion() {
    let _ = {
        static __SITE: ::foal::__private::Site = ::foal::__private::Site::new(
            "p.name for p in Product if p.price >= min_price && p.name.starts_with(\"iPad\")",
        );
        let __h0 = &(min_price);
        let __q0 = ::foal::__private::Query::new(
            &__SITE,
            [::foal::__private::ToValue::to_value(__h0)],
            |__b: &::foal::__private::Builder| {
                let __v1 = __b.source::<Product>("p");
                ::foal::__private::filter(
                    __b,
                    ::foal::__private::ops::ge(
                        ::foal::__private::ops::pair(
                            ::foal::__private::field(__b, &__v1, |__f| &__f.price),
                            ::foal::__private::param(__b, 0u16, __h0),
                        ),
                    ),
                );
                ::foal::__private::filter(
                    __b,
                    ::foal::__private::methods::like(
                        ::foal::__private::field(__b, &__v1, |__f| &__f.name),
                        __b.source_text("iPad%"),
                    ),
                );
                ::foal::__private::field(__b, &__v1, |__f| &__f.name)
            },
        );
        __q0
    };
}
