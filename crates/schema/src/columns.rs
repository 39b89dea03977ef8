//! Column kinds and the `table!` macro that keeps each table's Arrow schema and its
//! builders in one declaration, so they cannot drift apart.

use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder, ListBuilder,
    StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_schema::{DataType, Field, TimeUnit};

/// A column kind: its Arrow type and builder.
pub(crate) trait ColKind {
    type Builder;
    fn data_type() -> DataType;
    fn builder() -> Self::Builder;
    fn finish(b: &mut Self::Builder) -> ArrayRef;
}

/// The timestamp type of every instant in the warehouse.
pub(crate) fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

macro_rules! kind {
    ($name:ident, $builder:ty, $dt:expr, $new:expr) => {
        pub(crate) struct $name;
        impl ColKind for $name {
            type Builder = $builder;
            fn data_type() -> DataType {
                $dt
            }
            fn builder() -> $builder {
                $new
            }
            fn finish(b: &mut $builder) -> ArrayRef {
                Arc::new(b.finish())
            }
        }
    };
}

kind!(I64, Int64Builder, DataType::Int64, Int64Builder::new());
kind!(I32, Int32Builder, DataType::Int32, Int32Builder::new());
kind!(
    F64,
    Float64Builder,
    DataType::Float64,
    Float64Builder::new()
);
kind!(
    Bool,
    BooleanBuilder,
    DataType::Boolean,
    BooleanBuilder::new()
);
kind!(Str, StringBuilder, DataType::Utf8, StringBuilder::new());
kind!(Date, Date32Builder, DataType::Date32, Date32Builder::new());
kind!(
    Ts,
    TimestampMicrosecondBuilder,
    timestamp_type(),
    TimestampMicrosecondBuilder::new().with_timezone("UTC")
);
kind!(
    StrList,
    ListBuilder<StringBuilder>,
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true))),
    ListBuilder::new(StringBuilder::new())
);
kind!(
    I64List,
    ListBuilder<Int64Builder>,
    DataType::List(Arc::new(Field::new_list_field(DataType::Int64, true))),
    ListBuilder::new(Int64Builder::new())
);

/// Declares a table's row builder: one Arrow builder per column, in schema order.
///
/// `column: Kind nullable,` — `nullable` is `true` or `false`.
macro_rules! table {
    ($ty:ident { $($col:ident : $kind:ident $null:literal),* $(,)? }) => {
        pub(crate) struct $ty {
            $(pub(crate) $col: <$kind as ColKind>::Builder,)*
        }

        impl $ty {
            pub(crate) fn fields() -> Vec<arrow_schema::Field> {
                vec![$(arrow_schema::Field::new(
                    stringify!($col),
                    <$kind as ColKind>::data_type(),
                    $null,
                )),*]
            }

            pub(crate) fn new() -> Self {
                Self { $($col: <$kind as ColKind>::builder(),)* }
            }

            pub(crate) fn finish(
                &mut self,
                schema: &arrow_schema::SchemaRef,
            ) -> Result<arrow_array::RecordBatch, arrow_schema::ArrowError> {
                arrow_array::RecordBatch::try_new(
                    schema.clone(),
                    vec![$(<$kind as ColKind>::finish(&mut self.$col)),*],
                )
            }
        }
    };
}

pub(crate) use table;
